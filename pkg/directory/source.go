package directory

import (
	"fmt"
	"strings"
)

// Directory types.
const (
	IdentityStore = "identitystore"
	Cognito       = "cognito"
)

// Source is a directory the trigger follows and the sweep snapshots: one
// entry of DIRECTORY_SOURCES.
type Source struct {
	Type string // IdentityStore or Cognito
	ID   string // the identity store id or the user pool id
}

// String is the DIRECTORY_SOURCES form, "identitystore:<id>".
func (s Source) String() string { return s.Type + ":" + s.ID }

// maxSources bounds DIRECTORY_SOURCES.
const maxSources = 100

// ParseSources parses DIRECTORY_SOURCES ("identitystore:<id>,cognito:<pool
// id>", commas and spaces between entries).
func ParseSources(s string) ([]Source, error) {
	var out []Source
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		typ, id, ok := strings.Cut(item, ":")
		if !ok || (typ != IdentityStore && typ != Cognito) || !validID(id) {
			return nil, fmt.Errorf("DIRECTORY_SOURCES: %q is not identitystore:<IdentityStoreId> or cognito:<UserPoolId>", item)
		}
		if len(out) == maxSources {
			return nil, fmt.Errorf("DIRECTORY_SOURCES: more than %d directories", maxSources)
		}
		out = append(out, Source{Type: typ, ID: id})
	}
	return out, nil
}

// validID: 1–128 characters of [A-Za-z0-9_-] (an identity store id or a
// user pool id).
func validID(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
