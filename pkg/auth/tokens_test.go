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

// TestSCIMTokenIdP: a named token's IdP is its "idp", by default its
// name, so a token rotates without losing the SCIM users its IdP
// provisioned; a plain token's is its own name. An idp that is not a valid name
// makes the entry unusable, as a bad name does. (Before: "idp" was
// ignored and a user belonged to one token's name.)
func TestSCIMTokenIdP(t *testing.T) {
	tokens, notes, err := ParseTokens(`{"tokens":["plain-token-0123456789",
		{"name":"entra","token":"token-a-0123456789"},
		{"name":"entra-2026","idp":"entra","token":"token-b-0123456789"},
		{"name":"bad","idp":"no spaces","token":"token-c-0123456789"}]}`)
	if err != nil || len(notes) != 1 || !strings.Contains(notes[0], "idp") {
		t.Fatal(err, notes)
	}
	for _, tc := range []struct{ name, token, idp string }{
		{"plain", "plain-token-0123456789", PlainName("plain-token-0123456789")},
		{"named, no idp", "token-a-0123456789", "entra"},
		{"named, idp", "token-b-0123456789", "entra"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p, ok := tokens.Match(tc.token); !ok || p.IdP != tc.idp {
				t.Fatalf("%+v %v", p, ok)
			}
		})
	}
	if _, ok := tokens.Match("token-c-0123456789"); ok {
		t.Fatal("a token with a bad idp was accepted")
	}
}
