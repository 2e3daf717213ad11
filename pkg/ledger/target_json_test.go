package ledger

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
)

// TestStoredAttributes reads target and attempt items exactly as the code
// before the one target shape stored them and checks that writing them
// back stores the same attributes: a user id target's person's address
// stays known_email, a provider's shown address stays email on the
// attempt.
func TestStoredAttributes(t *testing.T) {
	tests := []struct {
		name   string
		stored string
		into   func() any
		want   any
	}{
		{
			name:   "user id target with a known address",
			stored: `{"key":"u:BL-7#crm","connection":"crm","provider":"backendless","user_id":"BL-7","queued":true,"known_email":"alice@example.com"}`,
			into:   func() any { return new(Target) },
			want:   &Target{Key: "u:BL-7#crm", Target: message.Target{Connection: "crm", Provider: "backendless", UserID: "BL-7", Email: "alice@example.com"}, Queued: true},
		},
		{
			name:   "user id target without one",
			stored: `{"key":"u:sc-1#wiki","connection":"wiki","provider":"scim","user_id":"sc-1"}`,
			into:   func() any { return new(Target) },
			want:   &Target{Key: "u:sc-1#wiki", Target: message.Target{Connection: "wiki", Provider: "scim", UserID: "sc-1"}},
		},
		{
			name:   "email fan-out with wipe",
			stored: `{"key":"e:alice@example.com#field","connection":"field","provider":"journeyapps","email":"Alice@Example.com","wipe":true,"fanout":true,"queued":true}`,
			into:   func() any { return new(Target) },
			want:   &Target{Key: "e:alice@example.com#field", Target: message.Target{Connection: "field", Provider: "journeyapps", Email: "Alice@Example.com", Wipe: true, Fanout: true}, Queued: true},
		},
		{
			name:   "attempt with a shown address",
			stored: `{"request_id":"r","key":"u:BL-7#crm","outcome":"done","receive":1,"redrive":0,"verified":null,"at":"2026-11-23T19:00:00Z","email":"ceo@corp.example","requested_at":"2026-11-23T19:00:00Z"}`,
			into:   func() any { return new(Attempt) },
			want: func() any {
				var a Attempt
				a.RequestID, a.Key, a.Outcome, a.Receive, a.Shown = "r", "u:BL-7#crm", message.Done, 1, "ceo@corp.example"
				a.At = time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC)
				a.RequestedAt = a.At
				return &a
			}(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.into()
			if err := json.Unmarshal([]byte(tt.stored), got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("read\n%+v\nwant\n%+v", got, tt.want)
			}
			again := encode(got)
			var a, b map[string]any
			if err := json.Unmarshal(again, &a); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tt.stored), &b); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, b) {
				t.Errorf("written back\n%s\nwant the same attributes as\n%s", again, tt.stored)
			}
		})
	}
}

// FuzzTargetAttributes: whatever a target item holds, reading it and
// writing it back and reading that again gives the same target.
func FuzzTargetAttributes(f *testing.F) {
	f.Add(`{"key":"u:BL-7#crm","connection":"crm","provider":"backendless","user_id":"BL-7","queued":true,"known_email":"a@example.com"}`)
	f.Add(`{"key":"e:a@example.com#wiki","connection":"wiki","email":"a@example.com","known_email":"b@example.com"}`)
	f.Add(`{"user_id":"u","email":"a@example.com"}`)
	f.Fuzz(func(t *testing.T, s string) {
		var first Target
		if json.Unmarshal([]byte(s), &first) != nil {
			return
		}
		var second Target
		if err := json.Unmarshal(encode(first), &second); err != nil {
			t.Fatalf("cannot read what was written: %v", err)
		}
		if !reflect.DeepEqual(first, second) {
			t.Fatalf("%+v became %+v", first, second)
		}
	})
}
