package scimapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// Bounds on what a user may hold.
const (
	maxEmails = 20
	maxString = 1024
)

// badValue is a request error with its scimType.
type badValue struct {
	scimType, detail string
}

func (e *badValue) Error() string { return e.detail }

func invalid(format string, a ...any) *badValue {
	return &badValue{scimType: typeInvalidValue, detail: fmt.Sprintf(format, a...)}
}

// object is a JSON object whose attribute names are case-insensitive, as
// SCIM's are (RFC 7643 §2.1).
type object map[string]json.RawMessage

func parseObject(b []byte) (object, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
		return nil, &badValue{scimType: typeInvalidSyntax, detail: "the body is not a JSON object"}
	}
	o := make(object, len(raw))
	for k, v := range raw {
		o[strings.ToLower(k)] = v
	}
	return o, nil
}

func (o object) get(name string) (json.RawMessage, bool) {
	v, ok := o[strings.ToLower(name)]
	if ok && string(v) == "null" {
		return nil, false
	}
	return v, ok
}

func str(raw json.RawMessage, name string) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", invalid("%s must be a string", name)
	}
	if len(s) > maxString {
		return "", invalid("%s is longer than %d bytes", name, maxString)
	}
	if err := text(s, name); err != nil {
		return "", err
	}
	return s, nil
}

// text refuses what may not be stored or logged as it is: every string
// attribute passes the same check as a request's text (message.CheckText:
// no control or bidirectional characters), or the change is 400
// invalidValue and nothing is stored or queued.
func text(s, name string) error {
	if err := message.CheckText(s); err != nil {
		return invalid("%s %s", name, err.Error())
	}
	return nil
}

// checkName bounds a name and checks each of its parts as text.
func checkName(n ledger.SCIMName) error {
	parts := []struct{ name, v string }{{"name.formatted", n.Formatted}, {"name.familyName", n.FamilyName}, {"name.givenName", n.GivenName},
		{"name.middleName", n.MiddleName}, {"name.honorificPrefix", n.HonorificPrefix}, {"name.honorificSuffix", n.HonorificSuffix}}
	total := 0
	for _, p := range parts {
		total += len(p.v)
		if err := text(p.v, p.name); err != nil {
			return err
		}
	}
	if total > maxString {
		return invalid("name is too long")
	}
	return nil
}

// boolean reads a boolean, or the strings "True"/"False" Entra ID sends.
func boolean(raw json.RawMessage, name string) (bool, error) {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch strings.ToLower(s) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, invalid("%s must be a boolean", name)
}

// checkSchemas requires the core User schema and accepts the enterprise
// extension; any other schema is refused.
func checkSchemas(o object) error {
	raw, ok := o.get("schemas")
	var schemas []string
	if !ok || json.Unmarshal(raw, &schemas) != nil {
		return invalid("schemas must list %s", SchemaUser)
	}
	core := false
	for _, s := range schemas {
		switch {
		case strings.EqualFold(s, SchemaUser):
			core = true
		case strings.EqualFold(s, SchemaEnterprise):
		default:
			return invalid("unknown schema %q", message.Trim(s, 128))
		}
	}
	if !core {
		return invalid("schemas must list %s", SchemaUser)
	}
	return nil
}

// userFromBody reads a POST or PUT body. activeSet reports whether the
// body said "active".
func userFromBody(b []byte) (u ledger.SCIMUser, activeSet bool, err error) {
	o, err := parseObject(b)
	if err != nil {
		return u, false, err
	}
	if err := checkSchemas(o); err != nil {
		return u, false, err
	}
	raw, ok := o.get("userName")
	if !ok {
		return u, false, invalid("userName is required")
	}
	if u.UserName, err = str(raw, "userName"); err != nil {
		return u, false, err
	}
	if strings.TrimSpace(u.UserName) == "" {
		return u, false, invalid("userName must not be empty")
	}
	u.Active = true
	for _, name := range []string{"externalId", "displayName", "active", "name", "emails"} {
		raw, ok := o.get(name)
		if !ok {
			continue
		}
		if err := setAttr(&u, name, raw); err != nil {
			return u, false, err
		}
		if name == "active" {
			activeSet = true
		}
	}
	return u, activeSet, nil
}

// setAttr sets one top-level attribute from its JSON value.
func setAttr(u *ledger.SCIMUser, name string, raw json.RawMessage) error {
	var err error
	switch strings.ToLower(name) {
	case "username":
		var s string
		if s, err = str(raw, "userName"); err == nil {
			if strings.TrimSpace(s) == "" {
				return invalid("userName must not be empty")
			}
			u.UserName = s
		}
	case "externalid":
		u.ExternalID, err = str(raw, "externalId")
	case "displayname":
		u.DisplayName, err = str(raw, "displayName")
	case "active":
		u.Active, err = boolean(raw, "active")
	case "name":
		var n ledger.SCIMName
		if json.Unmarshal(raw, &n) != nil {
			return invalid("name must be an object of strings")
		}
		if err := checkName(n); err != nil {
			return err
		}
		u.Name = &n
	case "emails":
		u.Emails, err = parseEmails(raw)
	}
	return err
}

type emailJSON struct {
	Value   string          `json:"value"`
	Type    string          `json:"type"`
	Primary json.RawMessage `json:"primary"`
}

func parseEmails(raw json.RawMessage) ([]ledger.SCIMEmail, error) {
	var list []emailJSON
	if json.Unmarshal(raw, &list) != nil {
		var one emailJSON
		if json.Unmarshal(raw, &one) != nil {
			return nil, invalid("emails must be an array of {value, type, primary}")
		}
		list = []emailJSON{one}
	}
	if len(list) > maxEmails {
		return nil, invalid("at most %d emails", maxEmails)
	}
	out := make([]ledger.SCIMEmail, 0, len(list))
	for _, e := range list {
		if len(e.Value) > message.MaxEmailLen || len(e.Type) > 64 {
			return nil, invalid("an email value or type is too long")
		}
		if err := text(e.Value+e.Type, "emails"); err != nil {
			return nil, err
		}
		primary := false
		if len(e.Primary) > 0 && string(e.Primary) != "null" {
			var err error
			if primary, err = boolean(e.Primary, "emails.primary"); err != nil {
				return nil, err
			}
		}
		out = append(out, ledger.SCIMEmail{Value: e.Value, Type: e.Type, Primary: primary})
	}
	return out, nil
}

// meta is a resource's meta attribute.
type meta struct {
	ResourceType string    `json:"resourceType"`
	Created      time.Time `json:"created"`
	LastModified time.Time `json:"lastModified"`
	Location     string    `json:"location"`
	Version      string    `json:"version"`
}

type userJSON struct {
	Schemas     []string           `json:"schemas"`
	ID          string             `json:"id"`
	ExternalID  string             `json:"externalId,omitempty"`
	UserName    string             `json:"userName"`
	Name        *ledger.SCIMName   `json:"name,omitempty"`
	DisplayName string             `json:"displayName,omitempty"`
	Active      bool               `json:"active"`
	Emails      []ledger.SCIMEmail `json:"emails,omitempty"`
	Meta        meta               `json:"meta"`
}

// etag is a user's version as a weak entity tag.
func etag(u ledger.SCIMUser) string { return fmt.Sprintf(`W/"%d"`, u.Version) }

func toJSON(u ledger.SCIMUser, location string) userJSON {
	return userJSON{Schemas: []string{SchemaUser}, ID: u.ID, ExternalID: u.ExternalID, UserName: u.UserName, Name: u.Name,
		DisplayName: u.DisplayName, Active: u.Active, Emails: u.Emails,
		Meta: meta{ResourceType: "User", Created: u.Created.UTC(), LastModified: u.LastModified.UTC(), Location: location, Version: etag(u)}}
}

// addresses are the user's emails revoke revokes: userName when it is an
// address, and every emails[].value that is one, distinct.
func addresses(u ledger.SCIMUser) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		s = strings.TrimSpace(s)
		if message.CheckEmail(s) == nil && !seen[message.NormalEmail(s)] {
			seen[message.NormalEmail(s)] = true
			out = append(out, s)
		}
	}
	add(u.UserName)
	for _, e := range u.Emails {
		add(e.Value)
	}
	return out
}
