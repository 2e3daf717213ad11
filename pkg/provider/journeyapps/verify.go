package journeyapps

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
)

// singleReads is how many users Verify reads one by one before it tries
// the listing, which shows every user's lock and sessions a page at a time.
const singleReads = 10

// Verify reads users back with GET users/{id} (the user and its
// sessions). For many users it pages through GET users instead while that
// costs fewer requests than reading the rest one by one.
func (c *Client) Verify(ctx context.Context, ids []string) []provider.State {
	out := make([]provider.State, len(ids))
	if len(ids) > singleReads {
		c.verifyByListing(ctx, ids, out)
	}
	var todo []int
	for i := range ids {
		if !out[i].Known && out[i].Err == nil {
			todo = append(todo, i)
		}
	}
	states := rest.VerifyEach(ctx, pick(ids, todo), 8, c.readUser)
	for k, i := range todo {
		out[i] = states[k]
	}
	return out
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

// verifyByListing fills out with the states of the ids it finds in the
// listing, and stops as soon as reading the remaining ids one by one would
// cost fewer requests than the remaining pages.
func (c *Client) verifyByListing(ctx context.Context, ids []string, out []provider.State) {
	want := make(map[string][]int, len(ids))
	for i, id := range ids {
		want[id] = append(want[id], i)
	}
	base, err := rest.URL(c.base, "users")
	if err != nil {
		return
	}
	left := len(want)
	for skip := 0; left > 0; {
		q := url.Values{"limit": {strconv.Itoa(PageSize)}, "skip": {strconv.Itoa(skip)}}
		resp, err := c.http.Do(ctx, rest.Request{Op: "list users", Method: http.MethodGet, URL: rest.WithQuery(base, q), Check: searchCheck})
		if err != nil {
			return // the ones not seen are read one by one
		}
		p, err := parsePage(resp.Body)
		if err != nil {
			return
		}
		for _, u := range p.Objects {
			for _, i := range want[u.ID] {
				out[i] = u.state()
			}
			if _, ok := want[u.ID]; ok {
				delete(want, u.ID)
				left--
			}
		}
		skip += len(p.Objects)
		pagesLeft := (p.Total - skip + PageSize - 1) / PageSize
		if !p.More || len(p.Objects) == 0 || pagesLeft >= left {
			return
		}
	}
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
