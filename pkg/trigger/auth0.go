package trigger

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/revoke-dev/revoke/pkg/message"
)

// parseAuth0 reads an Auth0 log stream event: the log is detail.data, or
// detail itself when it has a type field. A log type in AUTH0_LOG_TYPES
// (default sdu, a successful user deletion) revokes user_name as email.
func parseAuth0(detail []byte, o Options) (*Event, error) {
	d, err := object(detail, "auth0: detail")
	if err != nil {
		return nil, ignore(err.Error())
	}
	log := d
	if _, hasType := d["type"]; !hasType {
		if log, err = object(d["data"], "auth0: detail.data"); err != nil {
			return nil, ignore(err.Error())
		}
	}
	typ := text(log, "type")
	if !slices.Contains(o.Auth0LogTypes, typ) {
		return nil, ignore("auth0: log type not followed")
	}
	logID, ok := safeID(text(log, "log_id"))
	if !ok {
		if logID, ok = safeID(text(d, "log_id")); !ok {
			return nil, ignore("auth0: log without a log_id")
		}
	}
	var name string
	_ = json.Unmarshal(log["user_name"], &name)
	name = strings.TrimSpace(name)
	ev := &Event{Source: message.SourceAuth0, Key: "auth0:" + logID, Type: typ, EventID: logID}
	if message.CheckEmail(name) != nil {
		// The log names a person by something that is not an address.
		id, ok := safeID(text(log, "user_id"))
		if !ok {
			id = "?"
		}
		ev.Unresolved = []string{id}
		return ev, nil
	}
	ev.Emails = []string{name}
	return ev, nil
}
