package message

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Version is the current body format version.
const Version = 1

// Actions.
const (
	Revoke  = "revoke"
	Restore = "restore"
)

// MaxBodyBytes bounds a message body the consumer will decode.
const MaxBodyBytes = 16 << 10

// Message is the body of one queue message.
type Message struct {
	V           int       `json:"v"`
	RequestID   string    `json:"request_id"`
	Action      string    `json:"action"`
	Connection  string    `json:"connection"`
	Provider    string    `json:"provider"`
	UserID      string    `json:"user_id,omitempty"`
	Email       string    `json:"email,omitempty"`
	Wipe        bool      `json:"wipe,omitempty"`
	Fanout      bool      `json:"fanout,omitempty"` // came from "*": no account is not an error
	Reason      string    `json:"reason,omitempty"`
	Source      string    `json:"source,omitempty"` // api, okta, sweep
	RequestedAt time.Time `json:"requested_at"`
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
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
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

// Validate checks the fields the consumer relies on. The API validated the
// request already; this guards against anything else writing to the queue.
func (m *Message) Validate() error {
	switch {
	case m.V != Version:
		return fmt.Errorf("message: unsupported version %d", m.V)
	case m.Action != Revoke && m.Action != Restore:
		return fmt.Errorf("message: action %q is not revoke or restore", m.Action)
	case m.Connection == "":
		return errors.New("message: connection is missing")
	case (m.UserID == "") == (m.Email == ""):
		return errors.New("message: exactly one of user_id and email is required")
	}
	if m.UserID != "" {
		if err := CheckUserID(m.UserID); err != nil {
			return fmt.Errorf("message: user_id: %w", err)
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
