package request

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/revoke-dev/revoke/pkg/message"
)

// MaxBodyBytes is the largest body the API accepts (256 KiB).
const MaxBodyBytes = 256 << 10

// MaxReasonLen bounds reason, in characters.
const MaxReasonLen = message.MaxReasonChars

// Wildcard as a connection means every configured connection.
const Wildcard = "*"

// Request is a parsed POST /revocations body, or a request another front
// door built (ForEvent, the SCIM front door, the sweep). Its targets are
// message targets from the start; Expand fills in each one's provider.
type Request struct {
	Action  message.Action
	Reason  string
	Targets []message.Target
	DryRun  bool
	// wipeNamed holds the targets whose body named wipe, true or false:
	// Expand refuses wipe where it cannot apply even when false, so a
	// caller's mistake is never silently dropped. Only Parse sets it.
	wipeNamed map[int]bool
}

// namesWipe reports whether target i asks about wipe at all.
func (r *Request) namesWipe(i int) bool { return r.Targets[i].Wipe || r.wipeNamed[i] }

// Error is a validation failure that names the offending field.
type Error struct {
	Field   string // e.g. "targets[3].email"; empty for the body as a whole
	Message string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

func fieldErr(field, format string, a ...any) *Error {
	return &Error{Field: field, Message: fmt.Sprintf(format, a...)}
}

// Parse reads a body into a Request, checking its shape and every rule that
// does not depend on configuration. maxTargets bounds targets[].
func Parse(body []byte, maxTargets int) (*Request, error) {
	if len(body) > MaxBodyBytes {
		return nil, &Error{Message: "body is larger than 256 KiB"}
	}
	if !json.Valid(body) {
		return nil, &Error{Message: "body is not valid JSON"}
	}
	s := &scanner{b: body}
	req := &Request{}
	var seen uint8
	err := s.object(func(key []byte) error {
		var bit uint8
		switch string(key) {
		case "action":
			bit = 1
		case "reason":
			bit = 2
		case "targets":
			bit = 4
		case "dry_run":
			bit = 8
		default:
			return fieldErr(string(key), "unknown field")
		}
		if seen&bit != 0 {
			return fieldErr(string(key), "given more than once")
		}
		seen |= bit
		switch bit {
		case 1:
			v, err := optString(s, -1, "action")
			req.Action = message.Action(v)
			return err
		case 2:
			v, err := optString(s, -1, "reason")
			req.Reason = v
			return err
		case 8:
			switch lit, _ := s.literal(); lit {
			case "true", "false":
				req.DryRun = lit == "true"
				return nil
			case "null":
				return nil
			}
			return fieldErr("dry_run", "must be true or false")
		default:
			return parseTargets(s, req, maxTargets)
		}
	})
	if err != nil {
		var fe *Error
		if errors.As(err, &fe) {
			return nil, fe
		}
		return nil, &Error{Message: "body " + err.Error()}
	}
	if seen&4 == 0 {
		return nil, fieldErr("targets", "is required")
	}
	if err := req.check(); err != nil {
		return nil, err
	}
	return req, nil
}

func parseTargets(s *scanner, req *Request, maxTargets int) error {
	if s.peek() != '[' {
		return fieldErr("targets", "must be an array")
	}
	s.i++
	if s.consume(']') {
		return fieldErr("targets", "must not be empty")
	}
	req.Targets = make([]message.Target, 0, 8)
	for {
		n := len(req.Targets)
		if n >= maxTargets {
			return fieldErr("targets", "must have at most %d entries", maxTargets)
		}
		var t message.Target
		wipe, err := parseTarget(s, &t, n)
		if err != nil {
			return err
		}
		if wipe {
			if req.wipeNamed == nil {
				req.wipeNamed = map[int]bool{}
			}
			req.wipeNamed[n] = true
		}
		req.Targets = append(req.Targets, t)
		if s.consume(',') {
			continue
		}
		if s.consume(']') {
			return nil
		}
		return fieldErr("targets", "must be an array")
	}
}

// tf names field f of target i ("targets[3].email"); only errors call it.
func tf(i int, f string) string {
	if f == "" {
		return "targets[" + strconv.Itoa(i) + "]"
	}
	return "targets[" + strconv.Itoa(i) + "]." + f
}

// parseTarget reads targets[n] into t and reports whether it named wipe.
// A body gives exactly one of user_id and email; only a request a front
// door builds (the sweep's) gives a user id its known address too.
func parseTarget(s *scanner, t *message.Target, n int) (wipe bool, err error) {
	if s.peek() != '{' {
		return false, fieldErr(tf(n, ""), "must be an object")
	}
	var seen uint8
	err = s.object(func(key []byte) error {
		var bit uint8
		switch string(key) {
		case "connection":
			bit = 1
		case "user_id":
			bit = 2
		case "email":
			bit = 4
		case "wipe":
			bit = 8
		default:
			return fieldErr(tf(n, string(key)), "unknown field")
		}
		if seen&bit != 0 {
			return fieldErr(tf(n, string(key)), "given more than once")
		}
		seen |= bit
		var err error
		switch bit {
		case 1:
			t.Connection, err = optString(s, n, "connection")
		case 2:
			t.UserID, err = optString(s, n, "user_id")
		case 4:
			t.Email, err = optString(s, n, "email")
		case 8:
			switch lit, _ := s.literal(); lit {
			case "true", "false":
				t.Wipe, wipe = lit == "true", true
			case "null":
			default:
				return fieldErr(tf(n, "wipe"), "must be true or false")
			}
		}
		return err
	})
	if err == nil && t.UserID != "" && t.Email != "" {
		err = fieldErr(tf(n, ""), "give exactly one of user_id and email, not both")
	}
	return wipe, err
}

// optString reads a string value; null reads as absent. target < 0 names
// a top-level field.
func optString(s *scanner, target int, name string) (string, error) {
	field := func() string {
		if target < 0 {
			return name
		}
		return tf(target, name)
	}
	switch s.peek() {
	case '"':
		v, err := s.str()
		if err != nil {
			return "", fieldErr(field(), "%v", err)
		}
		return v, nil
	case 'n':
		s.literal()
		return "", nil
	}
	return "", fieldErr(field(), "must be a string")
}

// Check applies the rules that need no configuration (Parse calls it;
// callers that build a Request themselves call it too).
func (r *Request) Check() error { return r.check() }

func (r *Request) check() error {
	switch r.Action {
	case "":
		r.Action = message.Revoke
	case message.Revoke, message.Restore:
	default:
		return fieldErr("action", "must be \"revoke\" or \"restore\"")
	}
	if err := checkReason(r.Reason); err != nil {
		return fieldErr("reason", "%v", err)
	}
	type key struct{ conn, id, email string }
	seen := make(map[key]int, len(r.Targets))
	for i := range r.Targets {
		t := &r.Targets[i]
		switch {
		case t.Connection == "":
			return fieldErr(tf(i, "connection"), "is required")
		case t.UserID == "" && t.Email == "":
			return fieldErr(tf(i, ""), "give exactly one of user_id and email")
		case t.Connection == Wildcard && t.UserID != "":
			return fieldErr(tf(i, "user_id"), "connection \"*\" needs email, not user_id")
		}
		if err := checkName(i, *t); err != nil {
			return err
		}
		if r.namesWipe(i) && r.Action == message.Restore {
			return fieldErr(tf(i, "wipe"), "applies only to revoke")
		}
		k := key{t.Connection, t.UserID, message.NormalEmail(t.LookupEmail())}
		if j, dup := seen[k]; dup {
			return fieldErr(tf(i, ""), "duplicates targets[%d]", j)
		}
		seen[k] = i
	}
	return nil
}

func checkReason(s string) error {
	if err := message.CheckText(s); err != nil {
		return err
	}
	if utf8.RuneCountInString(s) > MaxReasonLen {
		return fmt.Errorf("must be at most %d characters", MaxReasonLen)
	}
	return nil
}
