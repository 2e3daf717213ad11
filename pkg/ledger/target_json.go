package ledger

import (
	"encoding/json"

	"github.com/revoke-dev/revoke/pkg/message"
)

// targetAttrs is a target's stored attributes. A user id target keeps the
// person's address as known_email, not email: items written before the
// address had one name read the same, and email stays what a target was
// looked up by.
type targetAttrs struct {
	Key string `json:"key"`
	message.Target
	Queued     bool   `json:"queued,omitempty"`
	KnownEmail string `json:"known_email,omitempty"`
}

// MarshalJSON writes a target's stored attributes.
func (t Target) MarshalJSON() ([]byte, error) {
	a := targetAttrs{Key: t.Key, Target: t.Target, Queued: t.Queued}
	if !a.ByEmail() {
		a.KnownEmail, a.Email = a.Email, ""
	}
	return json.Marshal(a)
}

// UnmarshalJSON reads a target's stored attributes.
func (t *Target) UnmarshalJSON(b []byte) error {
	var a targetAttrs
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	if !a.ByEmail() && a.Email == "" {
		a.Email = a.KnownEmail
	}
	*t = Target{Key: a.Key, Target: a.Target, Queued: a.Queued}
	return nil
}
