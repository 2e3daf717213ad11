package request

import (
	"encoding/json"

	"github.com/revoke-dev/revoke/pkg/message"
)

// wireBody is a request as a POST /revocations body gives it. A Request
// encodes to this shape, unchanged since targets became message targets:
// the API's Idempotency-Key conflict check hashes it, and hashes stored
// before must still match.
type wireBody struct {
	Action  message.Action `json:"action,omitempty"`
	Reason  string         `json:"reason,omitempty"`
	Targets []bodyTarget   `json:"targets"`
	DryRun  bool           `json:"dry_run,omitempty"`
}

// bodyTarget is one entry of a body's targets[]: wipe is present when the
// body named it (true or false); a user id target's known address is not
// part of it.
type bodyTarget struct {
	Connection string `json:"connection"`
	UserID     string `json:"user_id,omitempty"`
	Email      string `json:"email,omitempty"`
	Wipe       *bool  `json:"wipe,omitempty"`
}

// MarshalJSON encodes the request as a body.
func (r Request) MarshalJSON() ([]byte, error) {
	b := wireBody{Action: r.Action, Reason: r.Reason, DryRun: r.DryRun, Targets: make([]bodyTarget, len(r.Targets))}
	for i, t := range r.Targets {
		bt := bodyTarget{Connection: t.Connection, UserID: t.UserID, Email: t.LookupEmail()}
		if r.namesWipe(i) {
			w := t.Wipe
			bt.Wipe = &w
		}
		b.Targets[i] = bt
	}
	return json.Marshal(b)
}
