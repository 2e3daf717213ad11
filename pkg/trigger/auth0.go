package trigger

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/submit"
)

// parseAuth0 reads an Auth0 log stream event: the log is detail.data, or
// detail itself when it has a type field. A log type in AUTH0_LOG_TYPES
// (default sdu, a successful user deletion) revokes user_name as email,
// when the address is verified (auth0Verified).
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
	id, ok := safeID(text(log, "user_id"))
	if !ok {
		id = "?"
	}
	person := submit.Person{ID: id} // a user_name that is no address: unresolved
	switch {
	case message.CheckEmail(name) != nil:
	case auth0Verified(log):
		person.Emails = []string{name}
	default:
		person.Why = "auth0: " + whyUnverified + " (strategy_type " + message.Trim(text(log, "strategy_type"), 32) + ")"
	}
	ev.People = []submit.Person{person}
	return ev, nil
}

// auth0Verified reports whether a log's user_name is an address the
// organisation vouches for. Auth0's tenant log schema (the sdu event:
// type, user_id, user_name, strategy, strategy_type, connection, details)
// has no email_verified field, and a database or social connection lets
// people sign up with an address nobody verified. So: an explicit
// email_verified true (on the log or its details, should a log carry
// one), or a user of an enterprise connection (strategy_type
// "enterprise": Entra ID, Okta, SAML, Google Workspace), whose addresses
// the organisation's own directory manages, as Identity Center's are.
func auth0Verified(log map[string]json.RawMessage) bool {
	if string(log["email_verified"]) == "true" {
		return true
	}
	if details, err := object(log["details"], "details"); err == nil && string(details["email_verified"]) == "true" {
		return true
	}
	return text(log, "strategy_type") == "enterprise"
}
