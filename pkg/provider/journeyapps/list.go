package journeyapps

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
)

// PageSize is the listing page size.
const PageSize = 100

// maxPages bounds a listing (1,000,000 users).
const maxPages = 10000

type session struct {
	ID    string `json:"id"`
	State string `json:"state"`
}

type listedUser struct {
	ID              string          `json:"id"`
	LastConnectedAt *string         `json:"last_connected_at"`
	Enrolled        json.RawMessage `json:"enrolled"`
	Locked          bool            `json:"locked"`
	CreatedAt       *string         `json:"created_at"`
	Sessions        []session       `json:"sessions"`
}

type page struct {
	Total   int          `json:"total"`
	More    bool         `json:"more"`
	Objects []listedUser `json:"objects"`
}

func parsePage(body []byte) (page, error) {
	var p page
	if err := json.Unmarshal(body, &p); err != nil {
		return p, provider.Transient(Name+": list users", message.CodeProvider, "response is not the documented JSON")
	}
	return p, nil
}

// List pages through GET users?limit=&skip= until "more" is false. The
// listing API takes no filter, so the query's InactiveSince is applied to
// each user's last_connected_at (and its enrolment or creation date when
// it never connected) here.
func (c *Client) List(ctx context.Context, q provider.ListQuery, fn func(provider.Account) bool) error {
	base, err := rest.URL(c.base, "users")
	if err != nil {
		return rest.ConfigError(Name, err)
	}
	for pg, skip := 0, 0; pg < maxPages; pg++ {
		params := url.Values{"limit": {strconv.Itoa(PageSize)}, "skip": {strconv.Itoa(skip)}}
		resp, err := c.http.Do(ctx, rest.Request{Op: "list users", Method: http.MethodGet, URL: rest.WithQuery(base, params), Check: searchCheck})
		if err != nil {
			return err
		}
		p, err := parsePage(resp.Body)
		if err != nil {
			return err
		}
		for _, u := range p.Objects {
			a := u.account()
			if checkID(u.ID) != nil || !q.Inactive(a) {
				continue
			}
			if !fn(a) {
				return nil
			}
		}
		if !p.More || len(p.Objects) == 0 {
			return nil
		}
		skip += len(p.Objects)
	}
	return nil
}

func (u listedUser) account() provider.Account {
	a := provider.Account{ID: u.ID, Disabled: u.state().Disabled}
	if u.LastConnectedAt != nil {
		a.LastActive = parseTime(*u.LastConnectedAt)
	}
	a.NeverSignedIn = a.LastActive.IsZero()
	// "enrolled" may be a flag or a timestamp; a timestamp (or created_at)
	// dates an account that never connected.
	var s string
	if json.Unmarshal(u.Enrolled, &s) == nil {
		a.Created = parseTime(s)
	}
	if a.Created.IsZero() && u.CreatedAt != nil {
		a.Created = parseTime(*u.CreatedAt)
	}
	return a
}

func parseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999Z0700", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
