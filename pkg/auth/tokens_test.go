package auth

import (
	"context"
	"strings"
	"testing"
)

// TestDuplicateNamesFailClosed: two tokens with one name (or one token
// listed twice) make the whole secret unusable, as a malformed one is
// (before: both tokens were accepted and shared an actor and an
// idempotency namespace).
func TestDuplicateNamesFailClosed(t *testing.T) {
	for _, tc := range []struct {
		name, secret string
	}{
		{"two objects", `{"tokens":[{"name":"ci","token":"token-a-0123456789","scopes":["revoke"]},{"name":"ci","token":"token-b-0123456789","scopes":["read"]}]}`},
		{"one plain token twice", `{"tokens":["plain-token-0123456789","plain-token-0123456789"]}`},
		{"one token under two names", `{"tokens":[{"name":"a","token":"token-a-0123456789","scopes":["read"]},{"name":"b","token":"token-a-0123456789","scopes":["revoke"]}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &Authenticator{SecretID: "x", Source: &src{val: tc.secret}}
			for _, tok := range []string{"token-a-0123456789", "token-b-0123456789", "plain-token-0123456789"} {
				if _, v, err := a.Check(context.Background(), "Bearer "+tok); v != Unavailable || err == nil {
					t.Fatalf("%s: %v %v", tok, v, err)
				}
			}
			if _, _, err := ParseTokens(tc.secret); err == nil || !strings.Contains(err.Error(), "same") {
				t.Fatalf("%v", err)
			}
		})
	}
}

// TestSCIMScopes: scim:read and scim:write are scopes of a token secret
// (before: they were unknown and the token was ignored).
func TestSCIMScopes(t *testing.T) {
	tokens, notes, err := ParseTokens(`{"tokens":[{"name":"okta-scim","token":"scim-read-token-0123","scopes":["scim:read"]}]}`)
	if err != nil || len(notes) != 0 {
		t.Fatal(err, notes)
	}
	p, ok := tokens.Match("scim-read-token-0123")
	if !ok || !p.Has(ScopeSCIMRead) || p.Has(ScopeSCIMWrite) {
		t.Fatalf("%+v", p)
	}
}
