package scim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
)

// FilterValue quotes s as a JSON string without HTML escaping ("&" stays
// "&"): servers built on common SCIM libraries compare the value literally.
func FilterValue(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// Filter is the look-up filter for email: user_filter with {email}
// replaced by the escaped address (the template carries the quotes).
func Filter(template, email string) string {
	q := FilterValue(email)
	return strings.ReplaceAll(template, emailPlaceholder, q[1:len(q)-1])
}

// queryEscape encodes a query value with %20 for spaces (not "+", which
// some servers take literally).
func queryEscape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// Resource is the part of a SCIM User revoke reads.
type Resource struct {
	ID       string          `json:"id"`
	UserName string          `json:"userName"`
	Active   json.RawMessage `json:"active"`
	Emails   []struct {
		Value string `json:"value"`
	} `json:"emails"`
}

// Has reports whether the resource's userName or one of its emails equals
// email case-insensitively.
func (r Resource) Has(email string) bool {
	if strings.EqualFold(r.UserName, email) {
		return true
	}
	for _, e := range r.Emails {
		if strings.EqualFold(e.Value, email) {
			return true
		}
	}
	return false
}

func (r Resource) state() provider.State {
	s := provider.State{Exists: true}
	if r.Active != nil {
		if active, ok := parseBool(r.Active); ok {
			s.Known, s.Disabled = true, !active
		}
	}
	if strings.Contains(r.UserName, "@") {
		s.Shown = r.UserName
	} else if len(r.Emails) > 0 {
		s.Shown = r.Emails[0].Value
	}
	return s
}

// Look-up paging (RFC 7644 §3.4.2.4): startIndex is 1-based, count asks
// for a page size the server may lower (itemsPerPage) or ignore.
const (
	// LookupPageSize is the count a look-up asks for.
	LookupPageSize = 100
	// MaxLookupResults bounds what one email's filter may match: a filter
	// that matches more (a user_filter the server ignores returns every
	// user) is not a look-up by email, and fails as config.
	MaxLookupResults = 1000
	// MaxLookupPages bounds the requests one email's look-up makes, however
	// small the pages the server chooses; past it the look-up fails as
	// config instead of guessing "no account".
	MaxLookupPages = 20
)

// Resolve looks each email up with GET
// /Users?filter=<user_filter>&startIndex=&count=, following totalResults
// page by page until every result is seen; only resources whose userName
// or one of emails[].value equals the email case-insensitively count,
// whatever the server's filter returned.
func (c *Client) Resolve(ctx context.Context, emails []string) []provider.Lookup {
	return rest.LookupEach(ctx, emails, 8, func(ctx context.Context, email string) provider.Lookup {
		u, err := rest.URL(c.base, "Users")
		if err != nil {
			return provider.Lookup{Err: rest.ConfigError(Name, err)}
		}
		var l provider.Lookup
		err = c.pages(ctx, u, Filter(c.filter, email), func(r Resource) {
			if r.ID != "" && r.Has(email) {
				l.Matches = append(l.Matches, provider.Match{ID: r.ID, State: r.state()})
			}
		})
		if err != nil {
			return provider.Lookup{Err: err}
		}
		return l
	})
}

// pages reads every page of a filtered search and gives each resource to
// fn once. It stops when totalResults are seen, and fails rather than
// answer from part of the list: past MaxLookupResults or MaxLookupPages
// (config), or when the server repeats a page (it ignores startIndex),
// stops short of its totalResults, or sends a full page without
// totalResults (provider).
func (c *Client) pages(ctx context.Context, users, filter string, fn func(Resource)) error {
	const op = Name + ": look up user"
	seen := map[string]bool{}
	for page, start := 0, 1; ; page++ {
		if page == MaxLookupPages {
			return provider.Permanent(op, message.CodeConfig, "the filter for one email needs more than "+strconv.Itoa(MaxLookupPages)+" pages: check user_filter")
		}
		target := users + "?filter=" + queryEscape(filter) + "&startIndex=" + strconv.Itoa(start) + "&count=" + strconv.Itoa(LookupPageSize)
		resp, err := c.http.Do(ctx, rest.Request{Op: "look up user", Method: http.MethodGet, URL: target, Check: searchCheck})
		if err != nil {
			return err
		}
		lp, err := ParsePage(resp.Body)
		if err != nil {
			return err
		}
		if lp.Total > MaxLookupResults {
			return provider.Permanent(op, message.CodeConfig, "the filter for one email matched "+strconv.Itoa(lp.Total)+" users (more than "+strconv.Itoa(MaxLookupResults)+"): check user_filter")
		}
		if lp.StartIndex != 0 && lp.StartIndex != start {
			return provider.Permanent(op, message.CodeProvider, "asked for startIndex "+strconv.Itoa(start)+", the service answered "+strconv.Itoa(lp.StartIndex))
		}
		fresh := 0
		for _, r := range lp.Resources {
			if r.ID != "" && seen[r.ID] {
				continue
			}
			seen[r.ID] = true
			fresh++
			fn(r)
		}
		next := start + len(lp.Resources)
		switch {
		case !lp.HasTotal && len(lp.Resources) >= LookupPageSize:
			return provider.Permanent(op, message.CodeProvider, "a full page without totalResults: cannot tell whether more users follow")
		case !lp.HasTotal:
			return nil // a short page without totalResults: the whole answer
		case fresh == 0 && len(lp.Resources) > 0:
			return provider.Permanent(op, message.CodeProvider, "the service answered the same page again: it ignores startIndex")
		case next > lp.Total:
			return nil // every result seen
		case len(lp.Resources) == 0:
			return provider.Permanent(op, message.CodeProvider, "the service listed fewer users than its totalResults ("+strconv.Itoa(lp.Total)+")")
		}
		start = next
	}
}

// Page is one ListResponse (RFC 7644 §3.4.2).
type Page struct {
	Resources    []Resource
	Total        int  // totalResults
	HasTotal     bool // the answer carried totalResults
	StartIndex   int  // 0 when absent
	ItemsPerPage int  // 0 when absent
}

// MaxPageResources bounds the resources one page may hold.
const MaxPageResources = 10000

// ParsePage reads a ListResponse: Resources, totalResults, startIndex and
// itemsPerPage. Negative numbers and oversized pages are refused.
func ParsePage(body []byte) (Page, error) {
	var lr struct {
		Resources    *[]Resource `json:"Resources"`
		Total        *int        `json:"totalResults"`
		StartIndex   int         `json:"startIndex"`
		ItemsPerPage int         `json:"itemsPerPage"`
	}
	bad := func(why string) (Page, error) {
		return Page{}, provider.Transient(Name+": look up user", message.CodeProvider, why)
	}
	if err := json.Unmarshal(body, &lr); err != nil || (lr.Resources == nil && lr.Total == nil) {
		return bad("response is not a SCIM ListResponse")
	}
	p := Page{HasTotal: lr.Total != nil, StartIndex: lr.StartIndex, ItemsPerPage: lr.ItemsPerPage}
	if lr.Total != nil {
		p.Total = *lr.Total
	}
	if lr.Resources != nil {
		p.Resources = *lr.Resources
	}
	if p.Total < 0 || p.StartIndex < 0 || p.ItemsPerPage < 0 || len(p.Resources) > MaxPageResources {
		return bad("ListResponse with a negative number or more than 10000 resources")
	}
	return p, nil
}

// VerifyBatch is how many users one proof search names.
const VerifyBatch = 20

// Verify proves users' states with one filtered search per VerifyBatch
// users, GET /Users?filter=id eq "a" or id eq "b"… (RFC 7644 §3.4.2.2:
// "or" and the common attribute "id"), and reads any user the search did
// not show (a server that does not filter on id answers 400: every user)
// with GET /Users/{id}, the only read that may say a user is gone (some
// services answer 404 for a deactivated user: no access).
func (c *Client) Verify(ctx context.Context, ids []string) []provider.State {
	return rest.VerifyBatched(ctx, ids, VerifyBatch, func(ctx context.Context, chunk []string) (map[string]provider.State, error) {
		users, err := rest.URL(c.base, "Users")
		if err != nil {
			return nil, err
		}
		terms := make([]string, len(chunk))
		for k, id := range chunk {
			terms[k] = "id eq " + FilterValue(id)
		}
		target := users + "?filter=" + queryEscape(strings.Join(terms, " or ")) + "&count=" + strconv.Itoa(len(chunk))
		resp, err := c.http.Do(ctx, rest.Request{Op: "read users", Method: http.MethodGet, URL: target, Check: searchCheck})
		if err != nil {
			return nil, err
		}
		lp, err := ParsePage(resp.Body)
		if err != nil {
			return nil, err
		}
		shown := make(map[string]provider.State, len(lp.Resources))
		for _, r := range lp.Resources {
			shown[r.ID] = r.state()
		}
		return shown, nil
	}, c.readUser)
}

// readUser reads one user with GET /Users/{id}.
func (c *Client) readUser(ctx context.Context, id string) provider.State {
	target, err := rest.URL(c.base, "Users", id)
	if err != nil {
		return provider.StateErr(provider.Permanent(Name+": read user", message.CodeInvalid, "invalid user id"))
	}
	return c.http.ReadState(ctx, Name, target, Check, func(body []byte) provider.State {
		var r Resource
		if json.Unmarshal(body, &r) != nil {
			return provider.StateErr(provider.Transient(Name+": read user", message.CodeProvider, "response is not a SCIM User"))
		}
		s := r.state()
		if !s.Known {
			s.Err = provider.Transient(Name+": read user", message.CodeProvider, "the User has no active attribute")
		}
		return s
	})
}
