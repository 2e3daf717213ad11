package journeyapps

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
)

// The case-insensitive pass over the user model: JourneyApps' "Retrieve
// All Objects" (GET objects/{model}.json, up to 1000 objects an answer,
// "more" while objects remain) paged with "Limit and Skip" (limit=, skip=),
// as the Backend API v4 reference documents them.
const (
	// ScanPageSize is the limit each page of the pass asks for: half the
	// 1000 one answer may hold, so that a page of a user model with many
	// fields stays well under rest.MaxResponseBytes.
	ScanPageSize = 500
	// MaxScanObjects bounds the pass: a user model larger than this cannot
	// prove that an address has no account in any case, and the look-up
	// fails as config instead of answering "no account".
	MaxScanObjects = 100000
)

// scan gives fn every object of the user model that carries the email
// field, each once. It fails rather than answer from part of the model:
// past MaxScanObjects (config), when no object has the email field at all
// (config: email_field is wrong), or when the server repeats a page (it
// ignores skip).
func (c *Client) scan(ctx context.Context, fn func(Object)) error {
	const op = Name + ": look up user"
	base, err := rest.URL(c.base, "objects", c.model+".json")
	if err != nil {
		return rest.ConfigError(Name, err)
	}
	seen := map[string]bool{}
	withField := 0
	for skip := 0; ; {
		if skip >= MaxScanObjects {
			return provider.Permanent(op, message.CodeConfig, "the "+c.model+" model holds more than "+strconv.Itoa(MaxScanObjects)+
				" objects: a case-insensitive look-up cannot see them all; store addresses in one case and give user_id")
		}
		q := url.Values{"limit": {strconv.Itoa(ScanPageSize)}, "skip": {strconv.Itoa(skip)}}
		resp, err := c.http.Do(ctx, rest.Request{Op: "look up user", Method: http.MethodGet, URL: rest.WithQuery(base, q), Check: searchCheck})
		if err != nil {
			return err
		}
		objs, more, err := ParseObjects(resp.Body, c.emailField)
		if err != nil {
			return err
		}
		fresh := 0
		for _, o := range objs {
			if checkID(o.ID) != nil || seen[o.ID] {
				continue
			}
			seen[o.ID] = true
			fresh++
			if o.HasEmail {
				withField++
				fn(o)
			}
		}
		if len(objs) > 0 && fresh == 0 {
			return provider.Permanent(op, message.CodeProvider, "the objects listing answered the same page again: it ignores skip")
		}
		if !more || len(objs) == 0 {
			break
		}
		skip += len(objs)
	}
	if len(seen) > 0 && withField == 0 {
		return provider.Permanent(op, message.CodeConfig, "no "+c.model+" object has the field "+c.emailField+": check email_field")
	}
	return nil
}
