package journeyapps

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
)

// singleReads is how many users Verify reads one by one before it tries
// the listing, which shows every user's lock and sessions a page at a time.
const singleReads = 10

// MaxIndexed bounds how many users' listing positions a client remembers.
const MaxIndexed = 100_000

// positions remembers on which listing page (its skip) each user was last
// seen, and where the next scan starts: the proofs of one warm process
// share what every listing page taught them. Safe for concurrent use.
type positions struct {
	mu       sync.Mutex
	at       map[string]int // user id → skip of its page
	frontier int            // the next skip a scan reads
}

func (p *positions) learn(skip int, users []listedUser) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.at == nil {
		p.at = map[string]int{}
	}
	for _, u := range users {
		if _, ok := p.at[u.ID]; ok || len(p.at) < MaxIndexed {
			p.at[u.ID] = skip
		}
	}
}

func (p *positions) page(id string) (int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	skip, ok := p.at[id]
	return skip, ok
}

func (p *positions) next() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.frontier
}

func (p *positions) advance(to int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.frontier = to
}

// Verify proves users' states. The proof reads the documented listing
// GET users?limit=&skip= (each user with "locked" and its sessions), where
// one page proves up to PageSize users: first the pages where the users
// were last seen (when two or more share one), then, for more than
// singleReads users never seen, pages from where the last scan stopped
// (verifyByScan), and GET users/{id} (the user and its sessions) for
// whatever is left: a user whose page is known but holds no other wanted
// user costs one request either way, and is never scanned for.
func (c *Client) Verify(ctx context.Context, ids []string) []provider.State {
	out := make([]provider.State, len(ids))
	want := make(map[string][]int, len(ids))
	for i, id := range ids {
		want[id] = append(want[id], i)
	}
	c.verifyKnownPages(ctx, want, out)
	unseen := map[string][]int{}
	for id, idx := range want {
		if _, known := c.pos.page(id); !known {
			unseen[id] = idx
		}
	}
	if len(unseen) > singleReads {
		scanned := slices.Collect(maps.Keys(unseen))
		c.verifyByScan(ctx, unseen, out)
		for _, id := range scanned {
			if _, left := unseen[id]; !left {
				delete(want, id)
			}
		}
	}
	var todo []int
	for _, idx := range want {
		todo = append(todo, idx...)
	}
	states := rest.VerifyEach(ctx, pick(ids, todo), 8, c.readUser)
	for k, i := range todo {
		out[i] = states[k]
	}
	return out
}

// verifyKnownPages reads each page that last showed two or more of the
// wanted users (one user is as cheap to read by itself).
func (c *Client) verifyKnownPages(ctx context.Context, want map[string][]int, out []provider.State) {
	bySkip := map[int]int{}
	for id := range want {
		if skip, ok := c.pos.page(id); ok {
			bySkip[skip]++
		}
	}
	for skip, n := range bySkip {
		if n < 2 {
			continue
		}
		if _, _, err := c.proofPage(ctx, skip, want, out); err != nil {
			return
		}
	}
}

// verifyByScan reads pages from the frontier on, wrapping round once,
// until every wanted user is seen, but never more pages than users it
// still looks for: the scan costs at most as many requests as reading
// those users one by one, and every page it reads teaches the positions
// that let the next proofs read only their own pages. (Stopping as soon
// as the pages left outnumbered the users unseen left the last users of
// a batch, just past the page read, to one GET each.)
func (c *Client) verifyByScan(ctx context.Context, want map[string][]int, out []provider.State) {
	start := c.pos.next()
	skip, read := start, 0
	for len(want) > 0 {
		p, n, err := c.proofPage(ctx, skip, want, out)
		if err != nil {
			return // the ones not seen are read one by one
		}
		read++
		skip += n
		if !p.More || n == 0 {
			skip = 0 // wrap round to the first page
		}
		c.pos.advance(skip)
		pages := (max(p.Total, PageSize) + PageSize - 1) / PageSize
		if read >= pages || read >= len(want) || skip == start {
			return
		}
	}
}

// proofPage reads the listing page at skip, fills out for the wanted users
// it shows and forgets them from want, and remembers every position.
func (c *Client) proofPage(ctx context.Context, skip int, want map[string][]int, out []provider.State) (page, int, error) {
	base, err := rest.URL(c.base, "users")
	if err != nil {
		return page{}, 0, err
	}
	q := url.Values{"limit": {strconv.Itoa(PageSize)}, "skip": {strconv.Itoa(skip)}}
	resp, err := c.http.Do(ctx, rest.Request{Op: "list users", Method: http.MethodGet, URL: rest.WithQuery(base, q), Check: searchCheck})
	if err != nil {
		return page{}, 0, err
	}
	p, err := parsePage(resp.Body)
	if err != nil {
		return page{}, 0, err
	}
	c.pos.learn(skip, p.Objects)
	for _, u := range p.Objects {
		for _, i := range want[u.ID] {
			out[i] = u.state()
		}
		delete(want, u.ID)
	}
	return p, len(p.Objects), nil
}

func pick(ids []string, idx []int) []string {
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = ids[i]
	}
	return out
}

func (c *Client) readUser(ctx context.Context, id string) provider.State {
	if err := checkID(id); err != nil {
		return provider.StateErr(err)
	}
	u, err := rest.URL(c.base, "users", id)
	if err != nil {
		return provider.StateErr(rest.ConfigError(Name, err))
	}
	return c.http.ReadState(ctx, Name, u, Check, func(body []byte) provider.State {
		var lu listedUser
		if json.Unmarshal(body, &lu) != nil || lu.ID == "" {
			return provider.StateErr(provider.Transient(Name+": read user", message.CodeProvider, "response is not the documented user JSON"))
		}
		return lu.state()
	})
}

// Lock states of a session that no longer has access.
var lockedSession = map[string]bool{"LOCKED": true, "RESET": true, "NEVER_ENROLLED": true}

func (u listedUser) state() provider.State {
	disabled := u.Locked
	for _, s := range u.Sessions {
		if !lockedSession[s.State] {
			disabled = false // a session still enrolled has access
		}
	}
	return provider.State{Known: true, Exists: true, Disabled: disabled}
}
