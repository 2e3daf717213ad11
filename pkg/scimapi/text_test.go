package scimapi_test

import "testing"

// Every string attribute the front door stores passes the same check as a
// request's text (docs/design.md §1a): a control or bidirectional
// character in userName, externalId, displayName, a name part or an email
// value or type answers 400 invalidValue, on POST, PUT and PATCH alike,
// and nothing is stored or queued. (Before: each was stored as sent and
// answered 201/200; only the revoked addresses skipped bidi values.)
func TestAttributesRefuseControlAndBidi(t *testing.T) {
	const core = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],`
	for _, tc := range []struct{ name, attrs string }{
		{"userName bidi", `"userName":"evil\u202egro.elpmaxe@example.com"`},
		{"externalId bidi", `"userName":"x@example.com","externalId":"a\u202eb"`},
		{"displayName line break", `"userName":"x@example.com","displayName":"a\nb"`},
		{"name part isolate", `"userName":"x@example.com","name":{"givenName":"a\u2066b"}`},
		{"email value bidi", `"userName":"x@example.com","emails":[{"value":"x\u202e@example.com","type":"work"}]`},
		{"email type control", `"userName":"x@example.com","emails":[{"value":"x@example.com","type":"work\u0007"}]`},
	} {
		t.Run("POST "+tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.call(t, "POST", "/scim/v2/Users", core+tc.attrs+`}`).scimError(t, 400, "invalidValue")
			if a := f.call(t, "GET", "/scim/v2/Users", ""); a.body["totalResults"] != float64(0) {
				t.Fatalf("stored: %s", a.raw)
			}
		})
		t.Run("PUT "+tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			id := f.create(t, userBody("x@example.com", true, "x@example.com"))
			f.call(t, "PUT", "/scim/v2/Users/"+id, core+tc.attrs+`,"active":false}`).scimError(t, 400, "invalidValue")
			if a := f.call(t, "GET", "/scim/v2/Users/"+id, ""); a.body["active"] != true || len(f.q.Sent()) != 0 {
				t.Fatalf("changed or queued: %s", a.raw)
			}
		})
	}
	for _, tc := range []struct{ name, ops string }{
		{"replace displayName", `{"op":"replace","path":"displayName","value":"a\u202eb"}`},
		{"add name", `{"op":"add","path":"name","value":{"familyName":"a\u2067b"}}`},
		{"name part", `{"op":"replace","path":"name.givenName","value":"a\u200fb"}`},
		{"email by type", `{"op":"replace","path":"emails[type eq \"work\"].value","value":"y\u202e@example.com"}`},
		{"path-less", `{"op":"replace","value":{"externalId":"a\u0000b"}}`},
	} {
		t.Run("PATCH "+tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			id := f.create(t, userBody("x@example.com", true, "x@example.com"))
			f.call(t, "PATCH", "/scim/v2/Users/"+id, patchOp+tc.ops+`,{"op":"replace","path":"active","value":false}]}`).scimError(t, 400, "invalidValue")
			if a := f.call(t, "GET", "/scim/v2/Users/"+id, ""); a.body["active"] != true || a.body["meta"].(map[string]any)["version"] != `W/"1"` || len(f.q.Sent()) != 0 {
				t.Fatalf("changed or queued: %s", a.raw)
			}
		})
	}
}
