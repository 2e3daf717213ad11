package message

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestBodyWireFormat decodes queue bodies exactly as the code before the
// one target shape wrote them (field for field, in its field order: what
// sits in a DLQ today), and checks that re-encoding writes the same JSON
// object, so a re-drive of an old message and an old consumer reading a
// new one both still work.
func TestBodyWireFormat(t *testing.T) {
	at := time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		body string
		want Message
	}{
		{
			name: "user id, from the api",
			body: `{"v":1,"request_id":"3f6c1b2e-7d4a-4c1e-9b8f-2a5d6e7f8a90","action":"revoke","connection":"crm","provider":"backendless","user_id":"BL-1","reason":"leaver HR-4211","source":"api","requested_at":"2026-11-23T19:00:00Z"}`,
			want: Message{V: 1,
				Header: Header{RequestID: "3f6c1b2e-7d4a-4c1e-9b8f-2a5d6e7f8a90", Action: Revoke, Reason: "leaver HR-4211", Source: SourceAPI, RequestedAt: at},
				Target: Target{Connection: "crm", Provider: "backendless", UserID: "BL-1"}},
		},
		{
			name: "email fan-out with wipe, dry run and actor",
			body: `{"v":1,"request_id":"3f6c1b2e-7d4a-4c1e-9b8f-2a5d6e7f8a91","action":"revoke","connection":"field","provider":"journeyapps","email":"A@Example.com","wipe":true,"fanout":true,"dry_run":true,"source":"okta","actor":"okta","requested_at":"2026-11-23T19:00:00Z"}`,
			want: Message{V: 1,
				Header: Header{RequestID: "3f6c1b2e-7d4a-4c1e-9b8f-2a5d6e7f8a91", Action: Revoke, Source: SourceOkta, Actor: "okta", DryRun: true, RequestedAt: at},
				Target: Target{Connection: "field", Provider: "journeyapps", Email: "A@Example.com", Wipe: true, Fanout: true}},
		},
		{
			name: "restore, no optional fields",
			body: `{"v":1,"request_id":"3f6c1b2e-7d4a-4c1e-9b8f-2a5d6e7f8a92","action":"restore","connection":"wiki","provider":"scim","user_id":"sc-9","requested_at":"2026-11-23T19:00:00Z"}`,
			want: Message{V: 1,
				Header: Header{RequestID: "3f6c1b2e-7d4a-4c1e-9b8f-2a5d6e7f8a92", Action: Restore, RequestedAt: at},
				Target: Target{Connection: "wiki", Provider: "scim", UserID: "sc-9"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Fatalf("decoded\n%+v\nwant\n%+v", *got, tt.want)
			}
			again, err := got.Encode()
			if err != nil {
				t.Fatal(err)
			}
			var a, b map[string]any
			if err := json.Unmarshal([]byte(again), &a); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tt.body), &b); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, b) {
				t.Errorf("re-encoded\n%s\nwant the same object as\n%s", again, tt.body)
			}
		})
	}
}

// TestNewKeepsTheKnownAddressOffTheQueue: a user id target carries the
// person's address in Email (the sweep's listing); the queue body carries
// only what the consumer acts on, as before (an old consumer refuses a
// body with both user_id and email).
func TestNewKeepsTheKnownAddressOffTheQueue(t *testing.T) {
	h := Header{RequestID: NewID(), Action: Revoke, RequestedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))}
	tests := []struct {
		name      string
		target    Target
		wantEmail string
	}{
		{"user id with a known address", Target{Connection: "crm", Provider: "backendless", UserID: "BL-1", Email: "a@example.com"}, ""},
		{"by email", Target{Connection: "wiki", Provider: "scim", Email: "a@example.com", Fanout: true}, "a@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(h, tt.target)
			if m.Email != tt.wantEmail {
				t.Errorf("Email = %q, want %q", m.Email, tt.wantEmail)
			}
			if err := m.Validate(); err != nil {
				t.Errorf("the message is invalid: %v", err)
			}
			if m.Key() != tt.target.Key() || m.RequestedAt.Location() != time.UTC {
				t.Errorf("key %q (want %q), requested_at %v (want UTC)", m.Key(), tt.target.Key(), m.RequestedAt)
			}
		})
	}
}
