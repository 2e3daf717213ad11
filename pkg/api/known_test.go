package api

import (
	"encoding/json"
	"testing"

	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// TestStatusShowsWhatTheTargetWasLookedUpBy: a user id target carries the
// person's address (the sweep's listing) in Email; the status JSON and the
// evidence CSV show as "email" only what a target was looked up by, as
// they did before, and what the provider showed as resolved_email.
func TestStatusShowsWhatTheTargetWasLookedUpBy(t *testing.T) {
	tests := []struct {
		name      string
		target    message.Target
		shown     string
		wantJSON  string
		wantEmail string
	}{
		{"user id with a known address", message.Target{Connection: "crm", Provider: "backendless", UserID: "BL-1", Email: "alice@example.com"}, "boss@example.com",
			`{"connection":"crm","provider":"backendless","user_id":"BL-1","resolved_email":"boss@example.com","outcome":"done","error_code":null,"error_message":null,"http_status":null,"attempts":1,"verified":null,"updated_at":"0001-01-01T00:00:00Z"}`, ""},
		{"by email", message.Target{Connection: "wiki", Provider: "scim", Email: "alice@example.com"}, "",
			`{"connection":"wiki","provider":"scim","email":"alice@example.com","outcome":"done","error_code":null,"error_message":null,"http_status":null,"attempts":1,"verified":null,"updated_at":"0001-01-01T00:00:00Z"}`, "alice@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := ledger.TargetStatus{Target: ledger.TargetOf(tt.target), Outcome: message.Done, Attempts: 1, Shown: tt.shown}
			b, err := json.Marshal(toJSON(st))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.wantJSON {
				t.Errorf("json\n%s\nwant\n%s", b, tt.wantJSON)
			}
			if got := rows(ledger.Request{}, []ledger.TargetStatus{st})[0][8]; got != tt.wantEmail {
				t.Errorf("csv email %q, want %q", got, tt.wantEmail)
			}
		})
	}
}
