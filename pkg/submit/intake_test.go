package submit

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// TestIntake: the one intake of identity events decides who is usable
// (valid addresses in ALLOWED_EMAIL_DOMAINS), records everyone else
// unresolved with the reason, and makes one keyed request on the
// connections of the event's source.
func TestIntake(t *testing.T) {
	for _, tc := range []struct {
		name       string
		vars       map[string]string
		ev         Event
		outcome    string
		queued     string // connection:email, in order
		unresolved string // user ids
		why        string // in every unresolved reason
	}{
		{name: "two people, one without an address", ev: Event{Source: "okta", Key: "okta:1", Type: "user.lifecycle.deactivate",
			People: []Person{{ID: "00uA", Emails: []string{"a@example.com"}}, {ID: "00uB", Emails: []string{"not-an-address"}}}},
			vars: map[string]string{"OKTA_CONNECTIONS": "crm"}, outcome: Requested, queued: "crm:a@example.com", unresolved: "00uB", why: WhyNoAddress},
		{name: "outside the allowed domains", ev: Event{Source: "cognito", Key: "cloudtrail:1", Type: "AdminDisableUser", Directory: "cognito:p",
			People: []Person{{ID: "sub-1", Emails: []string{"ceo@gmail.com"}}}},
			vars: map[string]string{"ALLOWED_EMAIL_DOMAINS": "corp.example"}, outcome: Unresolved, unresolved: "sub-1", why: WhyDomain},
		{name: "only the company address", ev: Event{Source: "identity-center", Key: "cloudtrail:2", Type: "DisableUser",
			People: []Person{{ID: "u-1", Emails: []string{"f@gmail.com", "f@corp.example"}}}},
			vars: map[string]string{"ALLOWED_EMAIL_DOMAINS": "corp.example", "TRIGGER_CONNECTIONS": "wiki"}, outcome: Requested, queued: "wiki:f@corp.example"},
		{name: "a reason the source gives", ev: Event{Source: "auth0", Key: "auth0:1", Type: "sdu",
			People: []Person{{ID: "auth0|x", Emails: []string{"x@example.com"}, Why: "not verified"}}}, outcome: Unresolved, unresolved: "auth0|x", why: "not verified"},
		{name: "an address with a bidi control (every front door)", ev: Event{Source: "okta", Key: "okta:3", Type: "user.lifecycle.deactivate",
			People: []Person{{ID: "u1", Emails: []string{"evil\u202egro.elpmaxe@example.com"}}, {ID: "u2", Emails: []string{"a\u2066b@example.com", "ok@example.com"}}}},
			vars: map[string]string{"OKTA_CONNECTIONS": "crm"}, outcome: Requested, queued: "crm:ok@example.com", unresolved: "u1", why: WhyNoAddress},
		{name: "one address named twice", ev: Event{Source: "okta", Key: "okta:2", Type: "user.lifecycle.suspend",
			People: []Person{{ID: "a", Emails: []string{"a@example.com"}}, {ID: "a2", Emails: []string{"A@example.com"}}}},
			vars: map[string]string{"OKTA_CONNECTIONS": "crm"}, outcome: Requested, queued: "crm:a@example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, q, _ := fixture(t, tc.vars)
			var logs bytes.Buffer
			s.Log = slog.New(slog.NewJSONHandler(&logs, nil))
			res, err := s.Intake(context.Background(), tc.ev)
			if err != nil || res.Outcome != tc.outcome || strings.Join(res.Unresolved, ",") != tc.unresolved {
				t.Fatalf("%+v %v", res, err)
			}
			var got []string
			for _, m := range sent(t, q) {
				got = append(got, m.Connection+":"+m.Email)
				if m.Source != tc.ev.Source || m.RequestID != res.RequestID {
					t.Fatalf("%+v", m)
				}
			}
			if strings.Join(got, " ") != tc.queued {
				t.Fatalf("queued %v, want %q", got, tc.queued)
			}
			un, _, _ := s.Ledger.ListUnresolved(context.Background(), "", 10)
			if len(un) != len(res.Unresolved) {
				t.Fatalf("%d recorded, %d unresolved", len(un), len(res.Unresolved))
			}
			for _, u := range un {
				if !strings.Contains(u.Reason, tc.why) || !strings.HasPrefix(u.Reason, tc.ev.Type+": ") || u.Key != tc.ev.Key || u.Directory != tc.ev.Directory {
					t.Fatalf("%+v", u)
				}
			}
			if len(un) > 0 && !strings.Contains(logs.String(), `"level":"ERROR"`) {
				t.Fatal("no ERROR line for an unresolved person")
			}
			// A redelivery makes nothing new.
			again, err := s.Intake(context.Background(), tc.ev)
			if err != nil || len(q.Sent()) != len(got) || (res.RequestID != "" && (again.Outcome != Repeat || again.RequestID != res.RequestID)) {
				t.Fatalf("redelivery: %+v %v", again, err)
			}
		})
	}
}

// A ledger that cannot record an unresolved person is a transient error:
// the source retries the event.
func TestIntakeLedgerDown(t *testing.T) {
	s, q, store := fixture(t, nil)
	store.SetFailure(errors.New("dynamodb unreachable"))
	_, err := s.Intake(context.Background(), Event{Source: "okta", Key: "okta:1", People: []Person{{ID: "x"}}})
	var ue *UnavailableError
	if !errors.As(err, &ue) || len(q.Sent()) != 0 {
		t.Fatalf("%v", err)
	}
}
