package scimapi

import (
	"encoding/json"
	"errors"
	"strings"
)

// Filter is a supported SCIM filter: one attribute "eq" one string.
type Filter struct {
	Attr  string // "userName", "externalId", "emails.value" or "id"
	Value string
}

// MaxFilterLen bounds a filter.
const MaxFilterLen = 1024

var filterAttrs = map[string]string{"username": "userName", "externalid": "externalId", "emails.value": "emails.value", "id": "id"}

// ParseFilter reads `<attr> eq "<value>"` (attribute names and the
// operator case-insensitive, the value a JSON string), and Entra ID's
// `emails[type eq "work"].value eq "<value>"`. Anything else is an error:
// revoke answers it with 400 invalidFilter.
func ParseFilter(s string) (Filter, error) {
	s = strings.TrimSpace(s)
	if lower := strings.ToLower(s); strings.HasPrefix(lower, "emails[") {
		if end := strings.Index(s, "]"); end > 0 && strings.HasPrefix(lower[end:], "].value ") {
			if a, _, err := eq(s[len("emails["):end]); err == nil && a == "type" {
				s = "emails.value" + s[end+len("].value"):]
			}
		}
	}
	attr, v, err := eq(s)
	if err != nil {
		return Filter{}, err
	}
	name, ok := filterAttrs[attr]
	if !ok {
		return Filter{}, errors.New("filter attribute must be userName, externalId, emails.value or id")
	}
	return Filter{Attr: name, Value: v}, nil
}

// eq reads `<attr> eq "<value>"` for any attribute name (returned
// lower-cased, without the core User schema prefix).
func eq(s string) (attr, value string, err error) {
	s = strings.TrimSpace(s)
	if len(s) > MaxFilterLen {
		return "", "", errors.New("filter is too long")
	}
	a, rest, ok := strings.Cut(s, " ")
	if !ok {
		return "", "", errors.New(`filter must be <attribute> eq "<value>"`)
	}
	op, val, ok := strings.Cut(strings.TrimLeft(rest, " "), " ")
	if !ok || !strings.EqualFold(op, "eq") {
		return "", "", errors.New("only the eq operator is supported")
	}
	attr = strings.TrimPrefix(strings.ToLower(a), strings.ToLower(SchemaUser)+":")
	val = strings.TrimSpace(val)
	if len(val) < 2 || val[0] != '"' || val[len(val)-1] != '"' {
		return "", "", errors.New("filter value must be a quoted string")
	}
	if err := json.Unmarshal([]byte(val), &value); err != nil {
		return "", "", errors.New("filter value is not a valid JSON string")
	}
	return attr, value, nil
}
