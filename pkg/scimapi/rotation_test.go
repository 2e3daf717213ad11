package scimapi_test

import "testing"

// A SCIM token rotates as every token does (docs/design.md §1: several
// tokens, so tokens can rotate): the new token, named anew with the same
// "idp", sees and deactivates the users the old one provisioned, and the
// deactivation revokes; a token without that idp (named or plain) still
// gets 404. A read-only token of the
// same IdP reads them and changes nothing. (Before: a user belonged to the
// name of the token that created it, so after a rotation the IdP's
// deactivation got 404 and revoked nothing, and a scim:read token could
// read no user at all.)
func TestSCIMTokenRotation(t *testing.T) {
	for _, tc := range []struct {
		name, creator, successor string
	}{
		{"named token, same idp", scimToken, rotatedSCIMToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			a := f.call(t, "POST", "/scim/v2/Users", userBody("amy@example.com", true, "amy@example.com"), "authorization", "Bearer "+tc.creator)
			if a.status != 201 {
				t.Fatalf("create: %d %s", a.status, a.raw)
			}
			id := a.body["id"].(string)
			next := []string{"authorization", "Bearer " + tc.successor}
			if a := f.call(t, "GET", "/scim/v2/Users?filter="+q(`userName eq "amy@example.com"`), "", next...); a.status != 200 || a.body["totalResults"] != float64(1) {
				t.Fatalf("the successor's filter: %d %s", a.status, a.raw)
			}
			if a := f.call(t, "PATCH", "/scim/v2/Users/"+id, inactive, next...); a.status != 200 || a.body["active"] != false {
				t.Fatalf("the successor's deactivation: %d %s", a.status, a.raw)
			}
			sent := messages(t, f.q)
			if len(sent) == 0 || sent[0].Email != "amy@example.com" || sent[0].Action != "revoke" {
				t.Fatalf("the deactivation queued %+v", sent)
			}
			for _, other := range []string{oktaSCIMToken, plainSCIMToken} {
				if a := f.call(t, "GET", "/scim/v2/Users/"+id, "", "authorization", "Bearer "+other); a.status != 404 {
					t.Fatalf("another IdP's token: %d", a.status)
				}
			}
		})
	}
	t.Run("read-only token of the same idp", func(t *testing.T) {
		f := newFixture(t, nil)
		id := f.create(t, userBody("bob@example.com", true, "bob@example.com"))
		reader := []string{"authorization", "Bearer " + entraReadToken}
		if a := f.call(t, "GET", "/scim/v2/Users/"+id, "", reader...); a.status != 200 {
			t.Fatalf("read: %d %s", a.status, a.raw)
		}
		if a := f.call(t, "PATCH", "/scim/v2/Users/"+id, inactive, reader...); a.status != 403 || len(f.q.Sent()) != 0 {
			t.Fatalf("a scim:read token changed a user: %d", a.status)
		}
	})
}
