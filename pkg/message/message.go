package message

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Version is the current body format version.
const Version = 1

// MaxBodyBytes bounds a message body the consumer will decode.
const MaxBodyBytes = 16 << 10

// Header is what every message of one request shares. Its JSON names are
// the queue body's (docs/design.md §3).
type Header struct {
	RequestID   string    `json:"request_id"`
	Action      Action    `json:"action"`
	Reason      string    `json:"reason,omitempty"`
	Source      Source    `json:"source,omitempty"`
	Actor       string    `json:"actor,omitempty"` // who asked (docs/design.md §1): token:<name>, iam:<arn>, scim:<name>, okta, sweep…
	DryRun      bool      `json:"dry_run,omitempty"`
	RequestedAt time.Time `json:"requested_at"`
}

// Target is one user on one connection: the one declaration of a target's
// fields, which the request, the queue body and the ledger all carry.
type Target struct {
	Connection string `json:"connection"`
	Provider   string `json:"provider"`
	UserID     string `json:"user_id,omitempty"` // the provider's own id, or
	// Email is the person's address: the address looked up at the provider
	// when UserID is empty, else an address the requester knew for the
	// user id (the sweep's listing), kept for the person's history and
	// never sent on the queue (New drops it).
	Email  string `json:"email,omitempty"`
	Wipe   bool   `json:"wipe,omitempty"`   // JourneyApps: wipe the device's data on lock
	Fanout bool   `json:"fanout,omitempty"` // came from "*": no account there is not an error
}

// ByEmail reports whether the target is looked up at the provider by its
// address (it has no user id).
func (t Target) ByEmail() bool { return t.UserID == "" }

// LookupEmail is the address the target is looked up by: Email for a
// target by email, empty for a user id target (whose Email is only known).
// It is what the queue body, the API's status and evidence, and a
// request's body carry as "email".
func (t Target) LookupEmail() string {
	if t.ByEmail() {
		return t.Email
	}
	return ""
}

// Key identifies a target within its request: "u:<user id>#<connection>"
// or "e:<lower-cased email>#<connection>".
func (t Target) Key() string {
	if t.UserID != "" {
		return "u:" + t.UserID + "#" + t.Connection
	}
	return "e:" + strings.ToLower(t.Email) + "#" + t.Connection
}

// Message is the body of one queue message: one target with its request.
type Message struct {
	V int `json:"v"`
	Header
	Target
	// Kind is empty for a change (revoke or restore); the sweep's
	// background reads are KindCheck and KindList (work.go).
	Kind Kind `json:"kind,omitempty"`
	// Proof, when set, makes the message the read-back of a change already
	// made: the provider ids of the accounts to read (docs/design.md §4).
	Proof []string `json:"proof,omitempty"`
	// ProofOf is what the change reported (done or already): the outcome
	// the target takes once the read-back sees it.
	ProofOf Outcome `json:"proof_of,omitempty"`
}

// MaxProofAccounts bounds the accounts one proof message reads back.
const MaxProofAccounts = 20

// New is the one constructor of a message: the API, the hook, the SCIM
// front door, the trigger and the sweep all build messages with it. A
// user id target's known address stays in the ledger: the message carries
// only what the consumer acts on.
func New(h Header, t Target) Message {
	h.RequestedAt = h.RequestedAt.UTC()
	t.Email = t.LookupEmail()
	return Message{V: Version, Header: h, Target: t}
}

// Subject is the user id, or the email when the target is looked up.
func (m *Message) Subject() string {
	if m.UserID != "" {
		return m.UserID
	}
	return m.Email
}

// Encode returns the JSON body.
func (m *Message) Encode() (string, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("message: encode: %w", err)
	}
	return string(b), nil
}

// Decode parses and checks a body. Any error means the message can never
// be processed (a permanent "invalid" failure).
func Decode(body string) (*Message, error) {
	if len(body) > MaxBodyBytes {
		return nil, errors.New("message: body too large")
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	var m Message
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("message: decode: %w", err)
	}
	if dec.More() {
		return nil, errors.New("message: trailing data after the JSON object")
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Validate checks the fields the consumer relies on. The request path
// validated the request already; this guards against anything else
// writing to the queue.
func (m *Message) Validate() error {
	switch { // every message
	case m.V != Version:
		return fmt.Errorf("message: unsupported version %d", m.V)
	case m.Source != "" && !m.Source.Valid():
		return fmt.Errorf("message: source %q is unknown", m.Source)
	case len(m.Actor) > 2048 || CheckText(m.Actor) != nil:
		return errors.New("message: actor holds characters that may not reach a log")
	}
	if m.Kind != "" {
		if len(m.Proof) > 0 || m.ProofOf != "" {
			return errors.New("message: a background read carries no proof")
		}
		return m.validateRead()
	}
	switch {
	case !m.Action.Valid():
		return fmt.Errorf("message: action %q is not revoke or restore", m.Action)
	case m.Connection == "":
		return errors.New("message: connection is missing")
	case (m.UserID == "") == (m.Email == ""):
		return errors.New("message: exactly one of user_id and email is required")
	case len(m.Reason) > 4*MaxReasonChars || CheckText(m.Reason) != nil:
		return errors.New("message: reason holds characters that may not reach a log")
	}
	if m.UserID != "" {
		if err := CheckUserID(m.UserID); err != nil {
			return fmt.Errorf("message: user_id: %w", err)
		}
	}
	if len(m.Proof) > MaxProofAccounts || len(m.Proof) > 0 && (m.DryRun || m.ProofOf != Done && m.ProofOf != Already) || len(m.Proof) == 0 && m.ProofOf != "" {
		return fmt.Errorf("message: a proof names 1 to %d accounts and proof_of done or already, and is no dry run", MaxProofAccounts)
	}
	for _, id := range m.Proof {
		if err := CheckUserID(id); err != nil {
			return fmt.Errorf("message: proof: %w", err)
		}
	}
	if m.Email != "" {
		if err := CheckEmail(m.Email); err != nil {
			return fmt.Errorf("message: email: %w", err)
		}
	}
	return nil
}

// NewID returns a random (version 4) UUID for a request.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// IsID reports whether s is a UUID as NewID writes them (lower-case hex;
// upper-case accepted).
func IsID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}
