package scimapi_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

const (
	patchOp  = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`
	inactive = patchOp + `{"op":"replace","path":"active","value":false}]}`
	active   = patchOp + `{"op":"replace","path":"active","value":true}]}`
)

func userBody(userName string, active bool, emails ...string) string {
	b := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + userName + `","active":` + map[bool]string{true: "true", false: "false"}[active]
	if len(emails) > 0 {
		b += `,"emails":[`
		for i, e := range emails {
			if i > 0 {
				b += ","
			}
			b += `{"value":"` + e + `","type":"work"}`
		}
		b += `]`
	}
	return b + `}`
}

// sent lists what was queued as "action connection:email", in order.
func sent(t *testing.T, f *fixture) []string {
	var out []string
	for _, m := range messages(t, f.q) {
		out = append(out, string(m.Action)+" "+m.Connection+":"+m.Email)
	}
	return out
}

func (f *fixture) create(t testing.TB, body string) string {
	t.Helper()
	a := f.call(t, "POST", "/scim/v2/Users", body)
	if a.status != 201 {
		t.Fatalf("create: %d %s", a.status, a.raw)
	}
	return a.body["id"].(string)
}

// Issue 22.2: with SCIM_RESTORE=true and no connection that can restore,
// a re-activation is saved and answered 200, and the ledger records that
// nothing was restorable (before: 500, the user stayed inactive, and the
// next deactivation revoked nothing).
func TestReactivationNothingRestorable(t *testing.T) {
	f := newFixture(t, map[string]string{"CONNECTIONS": "mendix=mendix,wiki=scim", "SCIM_CONNECTIONS": "mendix", "SCIM_RESTORE": "true"})
	id := f.create(t, userBody("pat@example.com", true))
	if a := f.call(t, "PATCH", "/scim/v2/Users/"+id, inactive); a.status != 200 || len(f.q.Sent()) != 1 {
		t.Fatalf("deactivate: %d %s, %d queued", a.status, a.raw, len(f.q.Sent()))
	}
	if a := f.call(t, "PATCH", "/scim/v2/Users/"+id, active); a.status != 200 || a.body["active"] != true || len(f.q.Sent()) != 1 {
		t.Fatalf("reactivate: %d %s, %d queued", a.status, a.raw, len(f.q.Sent()))
	}
	if a := f.call(t, "GET", "/scim/v2/Users/"+id, ""); a.body["active"] != true {
		t.Fatalf("the state was not saved: %s", a.raw)
	}
	un, _, _ := f.ledger.ListUnresolved(context.Background(), "", 10)
	if len(un) != 1 || !strings.Contains(un[0].Reason, "nothing restorable") || un[0].UserID != id {
		t.Fatalf("%+v", un)
	}
	// The next deactivation is a change again, and revokes.
	if a := f.call(t, "PATCH", "/scim/v2/Users/"+id, inactive); a.status != 200 || len(f.q.Sent()) != 2 {
		t.Fatalf("second deactivation: %d, %d queued", a.status, len(f.q.Sent()))
	}
}

// Issue 23.2: a restore restores exactly the targets the user's own
// earlier deactivation revoked (changed at the provider), never an address
// added by the re-activating PATCH, never one that deactivation found
// already revoked or had not settled, and a user created inactive
// restores nothing (before: both
// restored whatever addresses the user had, reproduced as
// restore:ceo-was-revoked@…).
func TestRestoreOnlyOwnRevocation(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps func(t *testing.T, f *fixture)
		want  []string
	}{
		{"created inactive, then activated", func(t *testing.T, f *fixture) {
			id := f.create(t, userBody("ceo-was-revoked@example.com", false))
			f.call(t, "PATCH", "/scim/v2/Users/"+id, active)
		}, nil},
		{"an address added while re-activating", func(t *testing.T, f *fixture) {
			id := f.create(t, userBody("alice@example.com", true))
			f.call(t, "PATCH", "/scim/v2/Users/"+id, inactive)
			f.settle(t, message.Done)
			f.call(t, "PATCH", "/scim/v2/Users/"+id, patchOp+`{"op":"add","path":"emails","value":[{"value":"ceo-was-revoked@example.com"}]},{"op":"replace","path":"active","value":true}]}`)
		}, []string{"revoke wiki:alice@example.com", "restore wiki:alice@example.com"}},
		{"a PUT that renames while re-activating", func(t *testing.T, f *fixture) {
			id := f.create(t, userBody("alice@example.com", true))
			f.call(t, "PATCH", "/scim/v2/Users/"+id, inactive)
			f.settle(t, message.Done)
			f.call(t, "PUT", "/scim/v2/Users/"+id, userBody("ceo-was-revoked@example.com", true))
		}, []string{"revoke wiki:alice@example.com", "restore wiki:alice@example.com"}},
		{"an old revocation after a re-enable without restore", func(t *testing.T, f *fixture) {
			id := f.create(t, userBody("alice@example.com", true))
			f.call(t, "PATCH", "/scim/v2/Users/"+id, inactive)
			f.settle(t, message.Done)
			f.scim.Restore = false
			f.call(t, "PATCH", "/scim/v2/Users/"+id, active)
			f.scim.Restore = true
			// Renamed to a handle with no address, then deactivated: nothing
			// revoked, so nothing to restore (not the first revocation).
			f.call(t, "PUT", "/scim/v2/Users/"+id, userBody("alice-handle", true))
			f.call(t, "PATCH", "/scim/v2/Users/"+id, inactive)
			f.call(t, "PATCH", "/scim/v2/Users/"+id, active)
		}, []string{"revoke wiki:alice@example.com"}},
		{"a shadow-mode revocation restores as a dry run", func(t *testing.T, f *fixture) {
			f.api.Config.DryRun = true
			id := f.create(t, userBody("alice@example.com", true))
			f.call(t, "PATCH", "/scim/v2/Users/"+id, inactive)
			f.settle(t, message.WouldRevoke)
			f.api.Config.DryRun = false // the deployment went live meanwhile
			f.call(t, "PATCH", "/scim/v2/Users/"+id, active)
			if m := messages(t, f.q); len(m) != 2 || !m[1].DryRun {
				t.Fatalf("the restore of a dry run is not a dry run: %+v", m[len(m)-1])
			}
		}, []string{"revoke wiki:alice@example.com", "restore wiki:alice@example.com"}},
		// The bypass: a departed person, already revoked by someone else,
		// named by a new user that is deactivated (the revocation finds the
		// account already disabled) and re-activated. (Before: restored.)
		{"an address its deactivation found already revoked", func(t *testing.T, f *fixture) {
			id := f.create(t, userBody("ceo-was-revoked@example.com", true))
			f.call(t, "PATCH", "/scim/v2/Users/"+id, inactive)
			f.settle(t, message.Already)
			f.call(t, "PATCH", "/scim/v2/Users/"+id, active)
		}, []string{"revoke wiki:ceo-was-revoked@example.com"}},
		{"a revocation not settled yet", func(t *testing.T, f *fixture) {
			id := f.create(t, userBody("ceo-was-revoked@example.com", true))
			f.call(t, "PATCH", "/scim/v2/Users/"+id, inactive)
			f.call(t, "PATCH", "/scim/v2/Users/"+id, active)
		}, []string{"revoke wiki:ceo-was-revoked@example.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, map[string]string{"SCIM_CONNECTIONS": "wiki", "SCIM_RESTORE": "true"})
			tc.steps(t, f)
			if got := sent(t, f); !slices.Equal(got, tc.want) {
				t.Fatalf("queued %v, want %v", got, tc.want)
			}
		})
	}
}

// Issue 23.3: a PATCH that ends in 409 queues nothing (before: it had
// queued revocations, the other user's address included), and a later
// deactivation that changes the email revokes the new address (before:
// it reused the first one's key and was a no-op).
func TestPatchCheckedBeforeActing(t *testing.T) {
	f := newFixture(t, map[string]string{"SCIM_CONNECTIONS": "wiki"})
	f.create(t, userBody("bob@example.com", true))
	id := f.create(t, userBody("amy@example.com", true))
	a := f.call(t, "PATCH", "/scim/v2/Users/"+id, patchOp+`{"op":"replace","value":{"userName":"BOB@example.com","active":false}}]}`)
	a.scimError(t, 409, "uniqueness")
	if got := sent(t, f); len(got) != 0 {
		t.Fatalf("a refused PATCH queued %v", got)
	}
	a = f.call(t, "PATCH", "/scim/v2/Users/"+id, patchOp+`{"op":"replace","path":"emails","value":[{"value":"amy.new@example.com"}]},{"op":"replace","path":"active","value":false}]}`)
	if a.status != 200 {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	if got := sent(t, f); !slices.Equal(got, []string{"revoke wiki:amy@example.com", "revoke wiki:amy.new@example.com"}) {
		t.Fatalf("queued %v", got)
	}
}

// Issue 23.5: startIndex and count beyond range answer 400 invalidValue,
// never 500; small negative values read as RFC 7644 says.
func TestListBounds(t *testing.T) {
	f := newFixture(t, nil)
	f.create(t, userBody("amy@example.com", true))
	for _, tc := range []struct {
		name, query string
		status      int
	}{
		{"startIndex MaxInt64", "startIndex=9223372036854775807", 400},
		{"count MaxInt64", "count=9223372036854775807", 400},
		{"both huge", "startIndex=9223372036854775807&count=9223372036854775807", 400},
		{"startIndex past int64", "startIndex=99999999999999999999", 400},
		{"startIndex MinInt64", "startIndex=-9223372036854775808", 400},
		{"startIndex negative", "startIndex=-5", 200},
		{"count negative", "count=-1", 200},
		{"startIndex at the bound", "startIndex=1000000000", 200},
		{"filter and huge startIndex", "filter=" + q(`userName eq "amy@example.com"`) + "&startIndex=9223372036854775807", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := f.call(t, "GET", "/scim/v2/Users?"+tc.query, "")
			if tc.status == 400 {
				a.scimError(t, 400, "invalidValue")
			} else if a.status != 200 {
				t.Fatalf("%d %s", a.status, a.raw)
			}
		})
	}
}

// Issue 23.11: each SCIM user belongs to the token that created it;
// another token gets 404 for it and never lists it; scim:read cannot
// write (before: any SCIM token could read, change and delete every user,
// and scopes were ignored).
func TestTokenSeparation(t *testing.T) {
	f := newFixture(t, nil)
	id := f.create(t, userBody("amy@example.com", true, "amy@example.com")) // by the entra token
	okta := []string{"authorization", "Bearer " + oktaSCIMToken}
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/scim/v2/Users/" + id, ""},
		{"PATCH", "/scim/v2/Users/" + id, inactive},
		{"PUT", "/scim/v2/Users/" + id, userBody("amy@example.com", false)},
		{"DELETE", "/scim/v2/Users/" + id, ""},
	} {
		if a := f.call(t, tc.method, tc.path, tc.body, okta...); a.status != 404 {
			t.Fatalf("%s by another token: %d %s", tc.method, a.status, a.raw)
		}
	}
	if len(f.q.Sent()) != 0 {
		t.Fatal("another token's change queued a revocation")
	}
	for _, query := range []string{"", "?filter=" + q(`userName eq "amy@example.com"`), "?filter=" + q(`emails.value eq "amy@example.com"`), "?filter=" + q(`id eq "`+id+`"`)} {
		if a := f.call(t, "GET", "/scim/v2/Users"+query, "", okta...); a.status != 200 || a.body["totalResults"] != float64(0) {
			t.Fatalf("another token lists %q: %s", query, a.raw)
		}
		if a := f.call(t, "GET", "/scim/v2/Users"+query, ""); a.body["totalResults"] != float64(1) {
			t.Fatalf("the owner lists %q: %s", query, a.raw)
		}
	}
	reader := []string{"authorization", "Bearer " + readSCIMToken}
	if a := f.call(t, "POST", "/scim/v2/Users", userBody("x@example.com", true), reader...); a.status != 403 {
		t.Fatalf("scim:read created a user: %d", a.status)
	}
	if a := f.call(t, "GET", "/scim/v2/Users", "", reader...); a.status != 200 {
		t.Fatalf("scim:read cannot list: %d", a.status)
	}
	if a := f.call(t, "GET", "/scim/v2/Users/"+id, "", "authorization", "Bearer "+scimToken); a.status != 200 || a.body["owner"] != nil {
		t.Fatalf("the owner: %d %s", a.status, a.raw)
	}
}

// A user stored before owners were kept belongs to the first token that
// changes it; from then on other tokens get 404.
func TestUnownedUserAdopted(t *testing.T) {
	f := newFixture(t, nil)
	u := ledger.SCIMUser{ID: message.NewID(), UserName: "old@example.com", Active: true, Created: time.Unix(1e9, 0).UTC()}
	if err := f.ledger.CreateSCIMUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	okta := []string{"authorization", "Bearer " + oktaSCIMToken}
	if a := f.call(t, "PATCH", "/scim/v2/Users/"+u.ID, patchOp+`{"op":"replace","path":"displayName","value":"Old"}]}`, okta...); a.status != 200 {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	if a := f.call(t, "GET", "/scim/v2/Users/"+u.ID, ""); a.status != 404 {
		t.Fatalf("another token after adoption: %d", a.status)
	}
	if a := f.call(t, "GET", "/scim/v2/Users", "", okta...); a.body["totalResults"] != float64(1) {
		t.Fatalf("the adopter's list: %s", a.raw)
	}
}

// Issue 23.1 (SCIM): with ALLOWED_EMAIL_DOMAINS, only addresses inside it
// are revoked; a user with none is unresolved with the reason (before:
// every address was revoked).
func TestSCIMAllowedDomains(t *testing.T) {
	f := newFixture(t, map[string]string{"SCIM_CONNECTIONS": "wiki", "ALLOWED_EMAIL_DOMAINS": "corp.example"})
	id := f.create(t, userBody("ceo@example.com", true, "amy@corp.example"))
	f.call(t, "PATCH", "/scim/v2/Users/"+id, inactive)
	if got := sent(t, f); !slices.Equal(got, []string{"revoke wiki:amy@corp.example"}) {
		t.Fatalf("queued %v", got)
	}
	other := f.create(t, userBody("ceo@example.com.evil", true, "ceo@example.com"))
	if a := f.call(t, "PATCH", "/scim/v2/Users/"+other, inactive); a.status != 200 || len(f.q.Sent()) != 1 {
		t.Fatalf("%d, %d queued", a.status, len(f.q.Sent()))
	}
	un, _, _ := f.ledger.ListUnresolved(context.Background(), "", 10)
	if len(un) != 1 || un[0].Source != message.SourceSCIM || !strings.Contains(un[0].Reason, "ALLOWED_EMAIL_DOMAINS") {
		t.Fatalf("%+v", un)
	}
}

// FuzzListQuery: whatever startIndex and count a caller sends, a listing
// answers 200 or 400 invalidValue, never 500 (issue 23.5).
func FuzzListQuery(f *testing.F) {
	for _, s := range [][2]string{{"1", "100"}, {"9223372036854775807", "1"}, {"-9223372036854775808", "-1"}, {"1e3", ""}, {"0", "0"}} {
		f.Add(s[0], s[1])
	}
	fx := newFixture(f, nil)
	fx.create(f, userBody("amy@example.com", true))
	f.Fuzz(func(t *testing.T, start, count string) {
		a := fx.call(t, "GET", "/scim/v2/Users?startIndex="+q(start)+"&count="+q(count), "")
		if a.status != 200 && !(a.status == 400 && a.body["scimType"] == "invalidValue") {
			t.Fatalf("startIndex %q count %q: %d %s", start, count, a.status, a.raw)
		}
	})
}

// settle records an outcome for every target queued so far, as the
// consumer would.
func (f *fixture) settle(t *testing.T, o message.Outcome) {
	t.Helper()
	var as []ledger.Attempt
	for _, m := range messages(t, f.q) {
		as = append(as, ledger.Attempt{RequestID: m.RequestID, Key: m.Target.Key(), MessageID: "m-" + m.RequestID, Outcome: o, Receive: 1,
			At: m.RequestedAt.Add(time.Second), RequestedAt: m.RequestedAt})
	}
	if err := f.ledger.RecordAttempts(context.Background(), as); err != nil {
		t.Fatal(err)
	}
}
