package simulator

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Fault kinds.
const (
	Fault5xx     = "5xx"
	FaultTimeout = "timeout"
	FaultDrop    = "drop"
	// FaultHuge answers 500 with a HugeBody-byte error body: a provider
	// (or a proxy in front of it) that sends far more than revoke reads.
	FaultHuge = "huge"
)

// HugeBody is the size of a FaultHuge error body.
const HugeBody = 32 << 20

// Options shape a simulator's behaviour. The zero value is a fast, perfect
// provider.
type Options struct {
	Latency       time.Duration // added to every request
	RatePerSecond float64       // token-bucket rate limit; 0: none
	Burst         int           // bucket size (default: ceil(rate))
	RetryAfter    bool          // send Retry-After with 429s
	FaultRate     float64       // fraction of requests that fail with one of Faults
	Faults        []string      // kinds to draw from (default: 5xx)
	Hang          time.Duration // how long a "timeout" fault stalls (default 30 s)
	Seed          uint64        // for the fault draw
	// IgnoreChanges answers every change as a success and changes nothing:
	// a provider that lies, which only a read-back catches.
	IgnoreChanges bool
	// RateHeaders sends the IETF draft's RateLimit-Limit, -Remaining,
	// -Reset and RateLimit-Policy on every answer, describing the token
	// bucket. Only the SCIM simulator honours it: generic SCIM 2.0 servers
	// differ, and some send such headers. The other vendors document none:
	// JourneyApps answers 429 TOO_MANY_REQUESTS from a token bucket and
	// advises waiting a second, Backendless answers code 999 (sometimes
	// with HTTP 200), Mendix answers 429.
	RateHeaders bool
	// XRateHeaders sends the older X-RateLimit-Limit, -Remaining and
	// -Reset (seconds until the bucket is full) instead, with no policy:
	// no window says the rate, only what remains and when it is back.
	XRateHeaders bool
	// Now is the simulator's clock for its rate limit (nil: time.Now), so
	// tests can drive a hidden limit with a fake clock.
	Now func() time.Time
}

// User is a simulated account.
type User struct {
	ID         string
	Email      string
	Disabled   bool // locked / DISABLED / inactive
	LastActive time.Time
	Created    time.Time
	// Enrolled: JourneyApps shows one session (ENROLLED, or LOCKED/RESET
	// once locked).
	Enrolled bool
	Wiped    bool   // JourneyApps: locked with wipe (session RESET)
	Handle   string // SCIM: a userName other than the email (Slack turns emails into handles)
}

// Stats counts what a simulator served.
type Stats struct {
	Requests     int            // every request, including refused ones
	RateLimited  int            // answered 429 (or code 999)
	Faults       int            // injected faults
	Unauthorized int            // wrong or missing credential
	ByRoute      map[string]int // successful-path requests per route
	Changes      int            // users whose state changed
	Calls        []Call         // every decided call, in order (route, time)
	LimitedAt    []time.Time    // when each 429 (or code 999) was answered
}

// Call is one request a simulator decided.
type Call struct {
	Route string
	At    time.Time
	Users []string // users whose state the call changed
}

// base is what every simulator shares.
type base struct {
	mu       sync.Mutex
	opts     Options
	limiter  *rate.Limiter
	rnd      *rand.Rand
	users    map[string]*User
	order    []string
	stats    Stats
	failNext []int // scripted statuses for the next requests
	// sendsRateHeaders: this simulator honours Options.RateHeaders.
	sendsRateHeaders bool
	cred             string // the credential the simulator accepts
	srv              *httptest.Server
}

func (b *base) init(o Options) {
	b.users = map[string]*User{}
	b.stats.ByRoute = map[string]int{}
	b.configure(o)
}

// configure applies options; the caller holds mu or owns b.
func (b *base) configure(o Options) {
	b.opts, b.limiter = o, nil
	b.rnd = rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	if o.RatePerSecond > 0 {
		burst := o.Burst
		if burst <= 0 {
			burst = int(math.Ceil(o.RatePerSecond))
		}
		b.limiter = rate.NewLimiter(rate.Limit(o.RatePerSecond), burst)
	}
	if b.opts.Hang == 0 {
		b.opts.Hang = 30 * time.Second
	}
}

// Add adds or replaces users.
func (b *base) Add(users ...User) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, u := range users {
		if _, ok := b.users[u.ID]; !ok {
			b.order = append(b.order, u.ID)
		}
		u := u
		b.users[u.ID] = &u
	}
}

// User returns a copy of a user.
func (b *base) User(id string) (User, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	u, ok := b.users[id]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// Users returns copies of every user, in insertion order.
func (b *base) Users() []User {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]User, 0, len(b.order))
	for _, id := range b.order {
		out = append(out, *b.users[id])
	}
	return out
}

// Stats returns a copy of the counters.
func (b *base) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.stats
	s.ByRoute = map[string]int{}
	for k, v := range b.stats.ByRoute {
		s.ByRoute[k] = v
	}
	s.Calls = append([]Call(nil), b.stats.Calls...)
	s.LimitedAt = append([]time.Time(nil), b.stats.LimitedAt...)
	return s
}

// SetCredential changes the credential the simulator accepts (a rotation:
// the old one starts failing with 401 at once).
func (b *base) SetCredential(c string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cred = c
}

func (b *base) credential() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cred
}

// FailNext makes the next len(statuses) requests fail with those statuses
// (0 means drop the connection), before any other check.
func (b *base) FailNext(statuses ...int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failNext = append(b.failNext, statuses...)
}

// SetOptions replaces the behaviour options (users are kept).
func (b *base) SetOptions(o Options) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.configure(o)
}

// URL is the server's base URL once started.
func (b *base) URL() string { return b.srv.URL }

// Close stops the server.
func (b *base) Close() {
	if b.srv != nil {
		b.srv.CloseClientConnections()
		b.srv.Close()
	}
}

// verdict is what the common checks decided before the provider logic.
type verdict int

const (
	proceed verdict = iota
	limited
	failed
)

// admit applies latency, scripted failures, the rate limit and random
// faults. It writes the response itself unless it returns proceed or
// limited (the provider writes its own 429 shape).
func (b *base) admit(w http.ResponseWriter, r *http.Request, fail5xx func(w http.ResponseWriter, status int)) (verdict, time.Duration) {
	b.mu.Lock()
	b.stats.Requests++
	lat := b.opts.Latency
	var scripted = -1
	if len(b.failNext) > 0 {
		scripted, b.failNext = b.failNext[0], b.failNext[1:]
	}
	var fault string
	if scripted < 0 && b.opts.FaultRate > 0 && b.rnd.Float64() < b.opts.FaultRate {
		kinds := b.opts.Faults
		if len(kinds) == 0 {
			kinds = []string{Fault5xx}
		}
		fault = kinds[b.rnd.IntN(len(kinds))]
	}
	if scripted >= 0 || fault != "" {
		b.stats.Faults++
	}
	hang := b.opts.Hang
	b.mu.Unlock()

	if lat > 0 {
		select {
		case <-time.After(lat):
		case <-r.Context().Done():
			return failed, 0
		}
	}
	switch {
	case scripted == 0 || fault == FaultDrop:
		drop(w)
		return failed, 0
	case scripted == http.StatusTooManyRequests:
		return limited, time.Second
	case scripted > 0:
		fail5xx(w, scripted)
		return failed, 0
	case fault == Fault5xx:
		fail5xx(w, []int{500, 502, 503, 504}[int(time.Now().UnixNano()/1000)%4])
		return failed, 0
	case fault == FaultHuge:
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusInternalServerError)
		chunk := bytes.Repeat([]byte("overflow "), 7282) // ~64 KiB
		for n := 0; n < HugeBody; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				break
			}
		}
		return failed, 0
	case fault == FaultTimeout:
		select {
		case <-time.After(hang):
		case <-r.Context().Done():
		}
		fail5xx(w, http.StatusGatewayTimeout)
		return failed, 0
	}
	if b.limiter != nil {
		now := b.now()
		res := b.limiter.ReserveN(now, 1)
		if d := res.DelayFrom(now); d > 0 {
			res.CancelAt(now)
			b.mu.Lock()
			b.stats.RateLimited++
			b.stats.LimitedAt = append(b.stats.LimitedAt, now)
			b.mu.Unlock()
			return limited, d
		}
	}
	return proceed, 0
}

// gate runs the common checks (latency, scripted and random faults, the
// rate limit, the credential) and reports whether the request may proceed.
// write renders the provider's own error body for a status (429 for the
// rate limit, 401 for the credential, 5xx for faults).
func (b *base) gate(w http.ResponseWriter, r *http.Request, authorized func() bool, write func(w http.ResponseWriter, status int)) bool {
	v, wait := b.admit(w, r, write)
	b.rateHeaders(w)
	switch v {
	case failed:
		return false
	case limited:
		b.limitedHeaders(w, wait)
		write(w, http.StatusTooManyRequests)
		return false
	}
	if !authorized() {
		b.unauthorized()
		write(w, http.StatusUnauthorized)
		return false
	}
	return true
}

// now is the simulator's clock.
func (b *base) now() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.nowLocked()
}

// nowLocked is now for a caller holding mu.
func (b *base) nowLocked() time.Time {
	if b.opts.Now != nil {
		return b.opts.Now()
	}
	return time.Now()
}

// rateHeaders describes the token bucket in the IETF draft's fields when
// the simulator sends them: the quota is the burst, its window the time
// the bucket takes to fill, so quota ÷ window is the sustained rate.
func (b *base) rateHeaders(w http.ResponseWriter) {
	b.mu.Lock()
	on, lim := b.sendsRateHeaders && (b.opts.RateHeaders || b.opts.XRateHeaders), b.limiter
	now := b.nowLocked()
	b.mu.Unlock()
	if !on || lim == nil {
		return
	}
	burst, perSecond := float64(lim.Burst()), float64(lim.Limit())
	tokens := max(lim.TokensAt(now), 0)
	window := max(1, int(math.Round(burst/perSecond)))
	h := w.Header()
	reset := strconv.Itoa(int(math.Ceil((burst - tokens) / perSecond)))
	if b.opts.XRateHeaders {
		h.Set("X-RateLimit-Limit", strconv.Itoa(int(burst)))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(int(tokens)))
		h.Set("X-RateLimit-Reset", reset)
		return
	}
	h.Set("RateLimit-Policy", strconv.Itoa(int(burst))+";w="+strconv.Itoa(window))
	h.Set("RateLimit-Limit", strconv.Itoa(int(burst)))
	h.Set("RateLimit-Remaining", strconv.Itoa(int(tokens)))
	h.Set("RateLimit-Reset", reset)
}

// limitedHeaders sets Retry-After (whole seconds, at least 1) when enabled.
func (b *base) limitedHeaders(w http.ResponseWriter, wait time.Duration) {
	if b.opts.RetryAfter {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	}
}

// record counts a decided call.
func (b *base) record(route string, changed ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stats.ByRoute[route]++
	b.stats.Changes += len(changed)
	b.stats.Calls = append(b.stats.Calls, Call{Route: route, At: b.nowLocked(), Users: changed})
}

// unauthorized counts a refused credential.
func (b *base) unauthorized() {
	b.mu.Lock()
	b.stats.Unauthorized++
	b.mu.Unlock()
}

// setDisabled changes a user's state and reports whether the user exists
// and whether the state changed (never, with IgnoreChanges).
func (b *base) setDisabled(id string, disabled bool) (exists, changed bool) {
	return b.change(id, func(u *User) { u.Disabled = disabled })
}

// change applies fn to a user unless IgnoreChanges, and reports whether
// the user exists and whether its access changed.
func (b *base) change(id string, fn func(*User)) (exists, changed bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	u, ok := b.users[id]
	if !ok {
		return false, false
	}
	if b.opts.IgnoreChanges {
		return true, false
	}
	was := u.Disabled
	fn(u)
	return true, was != u.Disabled
}

func (b *base) byEmail(email string, fold bool) []User {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []User
	for _, id := range b.order {
		u := b.users[id]
		if u.Email == email || (fold && strings.EqualFold(u.Email, email)) {
			out = append(out, *u)
		}
	}
	return out
}

func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, buf, err := hj.Hijack(); err == nil {
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial")
			_ = buf.Flush()
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

// readJSON decodes a bounded JSON body strictly.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 8<<20))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func isJSON(r *http.Request, types ...string) bool {
	ct := r.Header.Get("Content-Type")
	if len(types) == 0 {
		types = []string{"application/json"}
	}
	for _, t := range types {
		if ct == t || len(ct) > len(t) && ct[:len(t)] == t && ct[len(t)] == ';' {
			return true
		}
	}
	return false
}
