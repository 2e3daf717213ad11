package journeyapps

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

// maxLookupPages bounds the pages one email's query may span: a query
// that matches more is not a look-up by email (a wrong email_field the
// server ignores returns every object) and fails instead of guessing.
const maxLookupPages = 5

// Resolve looks each email up with GET objects/{model}.json?query[field]=.
// JourneyApps' query is case-sensitive, so the lower-cased form is asked
// too when it differs; whatever the server returns, only objects whose
// email field equals the asked email case-insensitively count. An email
// neither query finds may still be stored in another case
// (John.Smith@corp.com): every such miss of the call is then looked for
// in one pass over the user model's listing (scan), so "no account" comes
// only from a look-up that saw every case variant.
func (c *Client) Resolve(ctx context.Context, emails []string) []provider.Lookup {
	out := rest.LookupEach(ctx, emails, 8, c.resolve)
	misses := map[string][]int{} // lower-cased email → indexes
	for i, l := range out {
		if l.Err == nil && len(l.Matches) == 0 {
			k := strings.ToLower(emails[i])
			misses[k] = append(misses[k], i)
		}
	}
	if len(misses) == 0 {
		return out
	}
	err := c.scan(ctx, func(o Object) {
		for _, i := range misses[strings.ToLower(strings.TrimSpace(o.Email))] {
			out[i].Matches = append(out[i].Matches, provider.Match{ID: o.ID})
		}
	})
	if err != nil {
		for _, idx := range misses {
			for _, i := range idx {
				out[i] = provider.Lookup{Err: err}
			}
		}
	}
	return out
}

func (c *Client) resolve(ctx context.Context, email string) provider.Lookup {
	forms := []string{email}
	if lower := strings.ToLower(email); lower != email {
		forms = append(forms, lower)
	}
	var l provider.Lookup
	seen := map[string]bool{}
	for _, form := range forms {
		ids, err := c.query(ctx, form, email)
		if err != nil {
			return provider.Lookup{Err: err}
		}
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				l.Matches = append(l.Matches, provider.Match{ID: id})
			}
		}
	}
	return l
}

// query pages through one query's answer and returns the ids of the
// objects whose email field equals want (case-insensitively).
func (c *Client) query(ctx context.Context, value, want string) ([]string, error) {
	base, err := rest.URL(c.base, "objects", c.model+".json")
	if err != nil {
		return nil, rest.ConfigError(Name, err)
	}
	var ids []string
	for page, skip := 0, 0; page < maxLookupPages; page++ {
		q := url.Values{"query[" + c.emailField + "]": {value}}
		if skip > 0 {
			q.Set("skip", strconv.Itoa(skip))
		}
		resp, err := c.http.Do(ctx, rest.Request{Op: "look up user", Method: http.MethodGet, URL: rest.WithQuery(base, q), Check: searchCheck})
		if err != nil {
			return nil, err
		}
		objs, more, err := ParseObjects(resp.Body, c.emailField)
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			if checkID(o.ID) == nil && strings.EqualFold(strings.TrimSpace(o.Email), want) {
				ids = append(ids, o.ID)
			}
		}
		if !more || len(objs) == 0 {
			return ids, nil
		}
		skip += len(objs)
	}
	return nil, provider.Permanent(Name+": look up user", message.CodeConfig,
		"the query for one email matched more than "+strconv.Itoa(maxLookupPages)+" pages of objects: check email_field and user_model")
}

// Object is one object of an objects answer, with its email field.
type Object struct {
	ID       string
	Email    string
	HasEmail bool // the object carries the email field at all
}

// ParseObjects reads an objects answer ({"objects": [...], "more": bool};
// a bare array is accepted) and each object's id and email field.
func ParseObjects(body []byte, field string) (objs []Object, more bool, err error) {
	var wrapped struct {
		Objects *[]map[string]json.RawMessage `json:"objects"`
		More    bool                          `json:"more"`
	}
	var raw []map[string]json.RawMessage
	if json.Unmarshal(body, &wrapped) == nil && wrapped.Objects != nil {
		raw, more = *wrapped.Objects, wrapped.More
	} else if json.Unmarshal(body, &raw) != nil {
		return nil, false, provider.Transient(Name+": look up user", message.CodeProvider, "response is not a list of objects")
	}
	objs = make([]Object, 0, len(raw))
	for _, o := range raw {
		var id, email string
		_ = json.Unmarshal(o["id"], &id)
		raw, has := o[field]
		_ = json.Unmarshal(raw, &email)
		objs = append(objs, Object{ID: id, Email: email, HasEmail: has})
	}
	return objs, more, nil
}
