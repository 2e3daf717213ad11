package request

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
)

// TestRequestJSONIsTheBodyShape: a parsed request encodes exactly as it
// did when targets had their own type (wipe present when the body named
// it, true or false). The API hashes this encoding for Idempotency-Key
// conflicts, and the hashes stored before must still match.
func TestRequestJSONIsTheBodyShape(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"user id with wipe false",
			`{"targets":[{"connection":"field-app","user_id":"u1","wipe":false}]}`,
			`{"action":"revoke","targets":[{"connection":"field-app","user_id":"u1","wipe":false}]}`},
		{"wipe true, reason, dry run",
			`{"dry_run":true,"reason":"leaver","action":"revoke","targets":[{"email":"A@Example.com","connection":"field-app","wipe":true}]}`,
			`{"action":"revoke","reason":"leaver","targets":[{"connection":"field-app","email":"A@Example.com","wipe":true}],"dry_run":true}`},
		{"restore, wildcard, nulls",
			`{"action":"restore","targets":[{"connection":"*","email":"a@example.com","user_id":null,"wipe":null}]}`,
			`{"action":"restore","targets":[{"connection":"*","email":"a@example.com"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse([]byte(tt.body), 10)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestKnownAddress: a body gives exactly one of user_id and email; a
// request a front door builds (the sweep's listing) may give a user id
// the person's address too, which Expand keeps on the planned target (for
// the person's history) without looking it up, and which a request's JSON
// leaves out.
func TestKnownAddress(t *testing.T) {
	cfg := testConfig(t)
	var rerr *Error
	if _, err := Parse([]byte(`{"targets":[{"connection":"crm","user_id":"u1","email":"a@example.com"}]}`), 10); !errors.As(err, &rerr) || rerr.Field != "targets[0]" {
		t.Errorf("a body with both user_id and email: %v", err)
	}
	sweep := &Request{Action: message.Revoke, Targets: []message.Target{
		{Connection: "crm", UserID: "u1", Email: "a@example.com", Fanout: true},
		{Connection: "crm", UserID: "u2", Email: "a@example.com"},
	}}
	if err := sweep.Check(); err != nil {
		t.Fatalf("two user ids with the same known address are not duplicates: %v", err)
	}
	got, err := Expand(sweep, cfg, registry.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	want := message.Target{Connection: "crm", Provider: "backendless", UserID: "u1", Email: "a@example.com"}
	if len(got) != 2 || got[0] != want {
		t.Errorf("planned %+v, want first %+v (a user id target never fans out)", got, want)
	}
	b, _ := json.Marshal(sweep)
	if want := `{"action":"revoke","targets":[{"connection":"crm","user_id":"u1"},{"connection":"crm","user_id":"u2"}]}`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
}
