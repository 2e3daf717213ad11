package scimapi

import (
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/pkg/ledger"
)

// FuzzParseFilter: a filter either is one supported attribute eq one
// string, or an error; it never panics.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{`userName eq "a@example.com"`, `externalId EQ "x\"y"`, `emails[type eq "work"].value eq "a@b.c"`, `id eq ""`, `userName sw "a"`, `emails[`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := ParseFilter(s)
		if err != nil {
			return
		}
		if _, ok := map[string]bool{"userName": true, "externalId": true, "emails.value": true, "id": true}[flt.Attr]; !ok {
			t.Fatalf("attribute %q", flt.Attr)
		}
	})
}

// FuzzPatch: any PATCH body either is refused or yields a user that still
// has a userName and at most 20 emails.
func FuzzPatch(f *testing.F) {
	for _, s := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false,"userName":"n"}}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"emails[type eq \"work\"].value","value":"a@b.c"},{"op":"remove","path":"emails[value eq \"a@b.c\"]"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"name.givenName"}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		ops, err := ParsePatch([]byte(body))
		if err != nil {
			return
		}
		u, err := Apply(ledger.SCIMUser{UserName: "alice@example.com", Active: true, Emails: []ledger.SCIMEmail{{Value: "alice@example.com"}}}, ops)
		if err != nil {
			return
		}
		if strings.TrimSpace(u.UserName) == "" || len(u.Emails) > maxEmails {
			t.Fatalf("%+v", u)
		}
	})
}

// FuzzUser: any POST body is refused or yields a user with a userName.
func FuzzUser(f *testing.F) {
	f.Add(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","emails":[{"value":"a@b.c","primary":"True"}],"active":"False"}`)
	f.Fuzz(func(t *testing.T, body string) {
		u, _, err := userFromBody([]byte(body))
		if err == nil && strings.TrimSpace(u.UserName) == "" {
			t.Fatal("a user without userName")
		}
	})
}
