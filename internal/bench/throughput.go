package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/revoke-dev/revoke/internal/embedded"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider/backendless"
	"github.com/revoke-dev/revoke/pkg/provider/journeyapps"
	"github.com/revoke-dev/revoke/pkg/provider/mendix"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/provider/scim"
)

// Mix is how many targets each provider gets and its rate limit.
type Mix struct {
	Connection, Provider string
	Users                int
	Rate                 float64 // requests per second, at the simulator and in the secret
	UsersPerRequest      int
}

// HiddenMix: 10,000 targets against simulators limited at 5, 10 and 50
// requests/s that no secret declares (rate discovery), the user counts
// chosen so every provider needs about 60 s.
var HiddenMix = []Mix{
	{"field-app", journeyapps.Name, 6100, 10, journeyapps.MaxBatch},
	{"crm", backendless.Name, 300, 5, 1},
	{"mendix", mendix.Name, 600, 10, 1},
	{"wiki", scim.Name, 3000, 50, 1},
}

// ThroughputOptions are scenario 1's variants.
type ThroughputOptions struct {
	Verify bool // read-back verification on in every secret
	// Undeclared: no secret declares rate_per_second; the simulators'
	// limits are hidden and each consumer finds them.
	Undeclared bool
}

// DefaultMix: 10,000 targets; the rates are the example, the user
// counts chosen so every provider needs about the same time.
var DefaultMix = []Mix{
	{"field-app", journeyapps.Name, 7000, 10, journeyapps.MaxBatch},
	{"crm", backendless.Name, 1200, 20, 1},
	{"mendix", mendix.Name, 300, 5, 1},
	{"wiki", scim.Name, 1500, 50, 1},
}

// Throughput is scenario 1's result.
type Throughput struct {
	Verify     bool // read-back verification on in every secret
	Undeclared bool // no rate declared: discovered
	// LastChange is when the last account was changed, LastProof when the
	// last target was settled (done or already; seen, where it can be
	// read), both since the first 202.
	LastChange, LastProof time.Duration
	// ToChange and ToProof: per target, from its 202 to the provider call
	// that changed it, and to its settled outcome.
	ToChange, ToProof Percentiles
	ProofsPerSecond   []int // targets settled per second since the first 202
	Targets           int
	Verified          int // targets seen in the asked state after the change
	Wall              time.Duration
	LowerBound        time.Duration // from the change requests the mix needs
	// CountedBound counts every request the providers served within their
	// limit (changes and read-backs): the bound verification moves to.
	CountedBound time.Duration
	Late429s     int // 429s answered more than 1 s after the start
	Total429s    int
	Requests     int
	Lost         int
	PerSecond    []int // revocations per second since the first 202
	Freshness    Percentiles
	Invocations  int
	PerProvider  map[string]time.Duration // when each provider's last user was revoked
}

// Percentiles of a latency distribution.
type Percentiles struct {
	N             int
	P50, P99, Max time.Duration
}

func percentiles(d []time.Duration) Percentiles {
	if len(d) == 0 {
		return Percentiles{}
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	at := func(q float64) time.Duration { return d[min(len(d)-1, int(math.Ceil(q*float64(len(d))))-1)] }
	return Percentiles{N: len(d), P50: at(0.50), P99: at(0.99), Max: d[len(d)-1]}
}

// RunThroughput runs scenario 1 (and, with the same pipeline shape, the
// freshness measurements during it).
func RunThroughput(ctx context.Context, mix []Mix, latency time.Duration, batchSize int, o ThroughputOptions, progress func(string)) (*Throughput, error) {
	simOpts := map[string]simulator.Options{}
	rates := map[string]float64{}
	for _, m := range mix {
		simOpts[m.Provider] = simulator.Options{Latency: latency, RatePerSecond: m.Rate, Burst: max(1, int(m.Rate))}
		rates[m.Provider] = m.Rate
	}
	var settledMu sync.Mutex
	settled := map[string]time.Time{} // user id → when its target settled
	onOutcome := func(r audit.Record) {
		if r.Outcome == message.Done || r.Outcome == message.Already {
			settledMu.Lock()
			settled[r.UserID] = time.Now()
			settledMu.Unlock()
		}
	}
	verify := o.Verify
	p, err := embedded.Start(embedded.Options{Sims: simOpts, Rates: rates, Undeclared: o.Undeclared, OnOutcome: onOutcome,
		BatchSize: batchSize, Visibility: 120 * time.Second, Timeout: 60 * time.Second, Verify: &verify})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	res := &Throughput{Verify: o.Verify, Undeclared: o.Undeclared, PerProvider: map[string]time.Duration{}}
	// Interleave providers in proportion, as a real offboarding list would.
	var targets []string
	idx := map[string]int{}
	for len(targets) < total(mix) {
		best := -1
		for i, m := range mix {
			if idx[m.Connection] < m.Users && (best < 0 || float64(idx[m.Connection])/float64(m.Users) < float64(idx[mix[best].Connection])/float64(mix[best].Users)) {
				best = i
			}
		}
		m := mix[best]
		id := fmt.Sprintf("%s-%05d", m.Connection, idx[m.Connection])
		idx[m.Connection]++
		p.Sim(m.Connection).Add(simulator.User{ID: id})
		targets = append(targets, fmt.Sprintf(`{"connection":%q,"user_id":%q}`, m.Connection, id))
	}
	res.Targets = len(targets)
	for _, m := range mix {
		perRequest := min(m.UsersPerRequest, batchSize) // a request carries at most one invocation's users
		b := time.Duration(float64(time.Second) * math.Ceil(float64(m.Users)/float64(perRequest)) / m.Rate)
		res.LowerBound = max(res.LowerBound, b)
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	wg := p.Run(rctx)
	accepted := map[string]time.Time{} // user id → 202 time
	for i := 0; i < len(targets); i += 1000 {
		chunk := targets[i:min(i+1000, len(targets))]
		r := p.Call(rctx, "POST", "/revocations", `{"reason":"bench","targets":[`+strings.Join(chunk, ",")+`]}`)
		if r.Status != 202 {
			return nil, fmt.Errorf("bench: submit answered %d: %s", r.Status, r.Body)
		}
		for _, t := range chunk {
			id := t[strings.LastIndex(t, `"user_id":"`)+11 : len(t)-2]
			accepted[id] = r.At
		}
	}
	deadline := time.Now().Add(20*res.LowerBound + time.Minute)
	for p.Pending() > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		if progress != nil && time.Since(start)%(5*time.Second) < 100*time.Millisecond {
			progress(fmt.Sprintf("throughput: %.0fs, %d pending", time.Since(start).Seconds(), p.Pending()))
		}
	}
	res.Wall = time.Since(start)
	cancel()
	wg.Wait()
	res.Invocations = p.Invocations()

	var fresh []time.Duration
	for _, conn := range p.ConnectionNames() {
		s := p.Sim(conn)
		st := s.Stats()
		res.Requests += st.Requests
		res.Total429s += st.RateLimited
		for _, m := range mix {
			if m.Connection == conn {
				served := st.Requests - st.RateLimited - st.Faults
				res.CountedBound = max(res.CountedBound, time.Duration(float64(time.Second)*float64(served)/m.Rate))
			}
		}
		for _, at := range st.LimitedAt {
			if at.Sub(start) > time.Second {
				res.Late429s++
			}
		}
		for _, c := range st.Calls {
			for _, u := range c.Users {
				sec := int(c.At.Sub(start) / time.Second)
				for len(res.PerSecond) <= sec {
					res.PerSecond = append(res.PerSecond, 0)
				}
				res.PerSecond[sec]++
				if t, ok := accepted[u]; ok {
					fresh = append(fresh, c.At.Sub(t))
				}
				res.PerProvider[conn] = max(res.PerProvider[conn], c.At.Sub(start))
				res.LastChange = max(res.LastChange, c.At.Sub(start))
			}
		}
	}
	res.Freshness = percentiles(fresh)
	res.ToChange = res.Freshness
	var toProof []time.Duration
	settledMu.Lock()
	for u, at := range settled {
		if t, ok := accepted[u]; ok {
			toProof = append(toProof, at.Sub(t))
		}
		res.LastProof = max(res.LastProof, at.Sub(start))
		sec := int(at.Sub(start) / time.Second)
		for len(res.ProofsPerSecond) <= sec {
			res.ProofsPerSecond = append(res.ProofsPerSecond, 0)
		}
		res.ProofsPerSecond[sec]++
	}
	settledMu.Unlock()
	res.ToProof = percentiles(toProof)
	done := 0
	for _, r := range p.Outcomes() {
		if r.Outcome == message.Done || r.Outcome == message.Already {
			done++
		}
		if r.Verified != nil && *r.Verified {
			res.Verified++
		}
	}
	for _, m := range mix {
		for i := range m.Users {
			if u, _ := p.Sim(m.Connection).User(fmt.Sprintf("%s-%05d", m.Connection, i)); !u.Disabled {
				res.Lost++
			}
		}
	}
	if res.Lost > 0 || done != res.Targets {
		return res, fmt.Errorf("bench: %d targets not revoked (%d of %d settled as done)", res.Lost, done, res.Targets)
	}
	return res, nil
}

func total(mix []Mix) int {
	n := 0
	for _, m := range mix {
		n += m.Users
	}
	return n
}

// Sequential is the baseline: the seeds' CloudCode loop, one lock request
// per user, one after the other (rate-limited to stay within the limit).
type Sequential struct {
	Sample    int
	Wall      time.Duration
	PerUser   time.Duration
	Projected time.Duration // for all of the mix's JourneyApps users
	Requests  int
}

// RunSequential locks sample users one request at a time.
func RunSequential(ctx context.Context, latency time.Duration, rate float64, sample, projectTo int) (*Sequential, error) {
	f := simulator.StartFleet(map[string]simulator.Options{journeyapps.Name: {Latency: latency, RatePerSecond: rate, Burst: max(1, int(rate))}})
	defer f.Close()
	sim := f.JA
	for i := range sample {
		sim.Add(simulator.User{ID: fmt.Sprintf("u-%05d", i)})
	}
	c, err := journeyapps.New([]byte(f.Secret("field-app", simulator.Settings{RatePerSecond: rate})), rest.Options{AllowInsecureHTTP: true})
	if err != nil {
		return nil, err
	}
	start := time.Now()
	for i := range sample {
		if r := c.Lock(ctx, fmt.Sprintf("u-%05d", i), false); r.Err != nil {
			return nil, fmt.Errorf("sequential: %v", r.Err)
		}
	}
	s := &Sequential{Sample: sample, Wall: time.Since(start), Requests: sim.Stats().Requests}
	s.PerUser = s.Wall / time.Duration(sample)
	s.Projected = s.PerUser * time.Duration(projectTo)
	return s, nil
}

// Leave makes person i (with address email) leave through one of revoke's
// front doors and returns when the request was sent.
type Leave func(ctx context.Context, p *embedded.Pipeline, i int, email string) (time.Time, error)

// ViaAPI revokes the person with POST /revocations on "*".
func ViaAPI(ctx context.Context, p *embedded.Pipeline, _ int, email string) (time.Time, error) {
	at := time.Now()
	r := p.Call(ctx, "POST", "/revocations", `{"targets":[{"connection":"*","email":"`+email+`"}]}`)
	if r.Status != 202 {
		return at, fmt.Errorf("POST /revocations: %d %s", r.Status, r.Body)
	}
	return at, nil
}

// ViaSCIM provisions the person through the SCIM front door (untimed),
// then deactivates them the way Entra ID does (PATCH Replace active
// "False").
func ViaSCIM(ctx context.Context, p *embedded.Pipeline, i int, email string) (time.Time, error) {
	r := p.Call(ctx, "POST", "/scim/v2/Users", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,"externalId":"ext-%d","active":true,"emails":[{"value":%q,"type":"work","primary":true}]}`, email, i, email))
	if r.Status != 201 {
		return time.Time{}, fmt.Errorf("SCIM POST: %d %s", r.Status, r.Body)
	}
	var u struct{ ID string }
	if err := json.Unmarshal([]byte(r.Body), &u); err != nil {
		return time.Time{}, err
	}
	at := time.Now()
	r = p.Call(ctx, "PATCH", "/scim/v2/Users/"+u.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	if r.Status != 200 && r.Status != 204 {
		return at, fmt.Errorf("SCIM PATCH: %d %s", r.Status, r.Body)
	}
	return at, nil
}

// RunFreshness measures single leavers on an idle pipeline: person i has
// an account on every connection under one address, leaves through
// leave, and each account's time from the request to the provider call
// that revoked it is one sample.
func RunFreshness(ctx context.Context, n int, latency, window time.Duration, leave Leave) (Percentiles, error) {
	simOpts := map[string]simulator.Options{}
	for _, k := range registry.Builtin().Names() {
		simOpts[k] = simulator.Options{Latency: latency}
	}
	p, err := embedded.Start(embedded.Options{Sims: simOpts, Window: window})
	if err != nil {
		return Percentiles{}, err
	}
	defer p.Close()
	rctx, cancel := context.WithCancel(ctx)
	wg := p.Run(rctx)
	defer func() { cancel(); wg.Wait() }()
	var d []time.Duration
	for i := range n {
		email := fmt.Sprintf("leaver%d@example.com", i)
		for _, conn := range p.ConnectionNames() {
			p.Sim(conn).Add(simulator.User{ID: fmt.Sprintf("%s-leaver-%d", conn, i), Email: email})
		}
		at, err := leave(rctx, p, i, email)
		if err != nil {
			return Percentiles{}, fmt.Errorf("freshness: %w", err)
		}
		for _, conn := range p.ConnectionNames() {
			s := p.Sim(conn)
			id := fmt.Sprintf("%s-leaver-%d", conn, i)
			for t0 := time.Now(); time.Since(t0) < 30*time.Second; time.Sleep(5 * time.Millisecond) {
				if u, _ := s.User(id); u.Disabled {
					break
				}
			}
			found := false
			for _, c := range s.Stats().Calls {
				if !found && slices.Contains(c.Users, id) {
					d = append(d, c.At.Sub(at))
					found = true
				}
			}
			if !found {
				return Percentiles{}, fmt.Errorf("freshness: %s was not revoked", id)
			}
		}
	}
	return percentiles(d), nil
}
