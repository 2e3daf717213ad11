package scimapi

import (
	"encoding/json"
	"strings"

	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// MaxOperations bounds a PATCH.
const MaxOperations = 100

type operation struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value"`
}

// ParsePatch reads a PatchOp body: the PatchOp schema, 1 to 100
// operations, each add, replace or remove (case-insensitively).
func ParsePatch(b []byte) ([]operation, error) {
	o, err := parseObject(b)
	if err != nil {
		return nil, err
	}
	var schemas []string
	if raw, ok := o.get("schemas"); !ok || json.Unmarshal(raw, &schemas) != nil || !message.ContainsFold(schemas, SchemaPatchOp) {
		return nil, invalid("schemas must list %s", SchemaPatchOp)
	}
	raw, ok := o.get("Operations")
	var ops []operation
	if !ok || json.Unmarshal(raw, &ops) != nil {
		return nil, invalid("Operations must be an array of {op, path, value}")
	}
	if len(ops) == 0 || len(ops) > MaxOperations {
		return nil, invalid("Operations must hold 1 to %d operations", MaxOperations)
	}
	for i := range ops {
		switch strings.ToLower(ops[i].Op) {
		case "add", "replace", "remove":
			ops[i].Op = strings.ToLower(ops[i].Op)
		default:
			return nil, invalid("Operations[%d].op must be add, replace or remove", i)
		}
		if len(ops[i].Path) > 512 {
			return nil, invalid("Operations[%d].path is too long", i)
		}
		if ops[i].Op != "remove" && len(ops[i].Value) == 0 {
			return nil, invalid("Operations[%d].value is required", i)
		}
	}
	return ops, nil
}

// Apply applies operations to a copy of u. Paths that change what revoke
// keeps are applied; every other path (enterprise-extension attributes
// included) is accepted and ignored.
func Apply(u ledger.SCIMUser, ops []operation) (ledger.SCIMUser, error) {
	u.Emails = append([]ledger.SCIMEmail(nil), u.Emails...)
	if u.Name != nil {
		n := *u.Name
		u.Name = &n
	}
	for _, op := range ops {
		var err error
		if op.Path == "" {
			err = applyObject(&u, op)
		} else {
			err = applyPath(&u, op.Op, op.Path, op.Value)
		}
		if err != nil {
			return u, err
		}
	}
	if strings.TrimSpace(u.UserName) == "" {
		return u, invalid("userName must not be empty")
	}
	return u, nil
}

// applyObject applies a path-less add/replace: {"active": false, …}.
func applyObject(u *ledger.SCIMUser, op operation) error {
	if op.Op == "remove" {
		return &badValue{scimType: typeNoTarget, detail: "remove needs a path"}
	}
	o, err := parseObject(op.Value)
	if err != nil {
		return invalid("a path-less %s needs an object value", op.Op)
	}
	for k, v := range o {
		if string(v) == "null" {
			continue
		}
		if err := applyPath(u, op.Op, k, v); err != nil {
			return err
		}
	}
	return nil
}

// applyPath applies one operation on one path.
func applyPath(u *ledger.SCIMUser, op, path string, value json.RawMessage) error {
	p := strings.TrimSpace(path)
	if lp := strings.ToLower(p); strings.HasPrefix(lp, strings.ToLower(SchemaUser)+":") {
		p = p[len(SchemaUser)+1:]
	}
	lp := strings.ToLower(p)
	switch {
	case lp == "active" || lp == "username" || lp == "externalid" || lp == "displayname":
		if op == "remove" {
			switch lp {
			case "externalid":
				u.ExternalID = ""
			case "displayname":
				u.DisplayName = ""
			case "username":
				return invalid("userName cannot be removed")
			}
			return nil
		}
		return setAttr(u, lp, value)
	case lp == "name":
		if op == "remove" {
			u.Name = nil
			return nil
		}
		if op == "add" && u.Name != nil {
			var n ledger.SCIMName
			if json.Unmarshal(value, &n) != nil {
				return invalid("name must be an object of strings")
			}
			if err := checkName(n); err != nil {
				return err
			}
			merge(u.Name, n)
			return nil
		}
		return setAttr(u, "name", value)
	case strings.HasPrefix(lp, "name."):
		return applyNamePart(u, op, lp[len("name."):], value)
	case lp == "emails":
		return applyEmails(u, op, value)
	case strings.HasPrefix(lp, "emails["):
		return applyEmailFilter(u, op, p, value)
	}
	return nil // not kept by revoke: accepted and ignored
}

func merge(dst *ledger.SCIMName, src ledger.SCIMName) {
	for _, f := range [][2]*string{{&dst.Formatted, &src.Formatted}, {&dst.FamilyName, &src.FamilyName}, {&dst.GivenName, &src.GivenName},
		{&dst.MiddleName, &src.MiddleName}, {&dst.HonorificPrefix, &src.HonorificPrefix}, {&dst.HonorificSuffix, &src.HonorificSuffix}} {
		if *f[1] != "" {
			*f[0] = *f[1]
		}
	}
}

func applyNamePart(u *ledger.SCIMUser, op, sub string, value json.RawMessage) error {
	if u.Name == nil {
		u.Name = &ledger.SCIMName{}
	}
	fields := map[string]*string{"formatted": &u.Name.Formatted, "familyname": &u.Name.FamilyName, "givenname": &u.Name.GivenName,
		"middlename": &u.Name.MiddleName, "honorificprefix": &u.Name.HonorificPrefix, "honorificsuffix": &u.Name.HonorificSuffix}
	f, ok := fields[sub]
	if !ok {
		return nil
	}
	if op == "remove" {
		*f = ""
		return nil
	}
	s, err := str(value, "name."+sub)
	*f = s
	return err
}

func applyEmails(u *ledger.SCIMUser, op string, value json.RawMessage) error {
	if op == "remove" {
		u.Emails = nil
		return nil
	}
	emails, err := parseEmails(value)
	if err != nil {
		return err
	}
	if op == "replace" {
		u.Emails = emails
	} else {
		for _, e := range emails {
			if i := indexEmail(u.Emails, e.Value); i >= 0 {
				u.Emails[i] = e
			} else {
				u.Emails = append(u.Emails, e)
			}
		}
	}
	if len(u.Emails) > maxEmails {
		return invalid("at most %d emails", maxEmails)
	}
	return nil
}

func indexEmail(list []ledger.SCIMEmail, v string) int {
	for i, e := range list {
		if strings.EqualFold(e.Value, v) {
			return i
		}
	}
	return -1
}

// applyEmailFilter handles emails[type eq "work"].value, emails[type eq
// "work"] and emails[value eq "a@b"].
func applyEmailFilter(u *ledger.SCIMUser, op, path string, value json.RawMessage) error {
	end := strings.IndexByte(path, ']')
	if end < 0 {
		return &badValue{scimType: "invalidPath", detail: "unbalanced [ in path"}
	}
	attr, want, err := eq(path[len("emails["):end])
	if err != nil || (attr != "type" && attr != "value") {
		return nil // a filter revoke does not keep: ignored
	}
	sub := strings.ToLower(strings.TrimPrefix(path[end+1:], "."))
	matches := func(e ledger.SCIMEmail) bool {
		if attr == "type" {
			return strings.EqualFold(e.Type, want)
		}
		return strings.EqualFold(e.Value, want)
	}
	idx := -1
	for i, e := range u.Emails {
		if matches(e) {
			idx = i
			break
		}
	}
	switch {
	case op == "remove" && idx >= 0 && (sub == "" || sub == "value"):
		u.Emails = append(u.Emails[:idx], u.Emails[idx+1:]...)
	case op == "remove":
	case sub == "value":
		v, err := str(value, "emails.value")
		if err != nil {
			return err
		}
		if idx >= 0 {
			u.Emails[idx].Value = v
		} else if attr == "type" && len(u.Emails) < maxEmails {
			u.Emails = append(u.Emails, ledger.SCIMEmail{Value: v, Type: want})
		}
	case sub == "primary" && idx >= 0:
		p, err := boolean(value, "emails.primary")
		if err != nil {
			return err
		}
		u.Emails[idx].Primary = p
	case sub == "" && idx >= 0:
		es, err := parseEmails(value)
		if err != nil || len(es) != 1 {
			return invalid("emails[…] takes one email object")
		}
		u.Emails[idx] = es[0]
	}
	return nil
}
