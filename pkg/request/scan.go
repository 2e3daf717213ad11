package request

import (
	"encoding/json"
	"errors"
)

// scanner walks a body that json.Valid has already accepted, so it only has
// to find tokens, never to diagnose syntax.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the first byte of the next token (0 at the end).
func (s *scanner) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// consume skips the next byte if it is c.
func (s *scanner) consume(c byte) bool {
	if s.peek() == c {
		s.i++
		return true
	}
	return false
}

// key reads an object key without allocating when it has no escapes.
func (s *scanner) key() ([]byte, error) {
	start := s.i
	s.i++
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			s.i = start
			v, err := s.str()
			return []byte(v), err
		case '"':
			s.i++
			return s.b[start+1 : s.i-1], nil
		}
		s.i++
	}
	return nil, errors.New("unterminated string")
}

// str reads a string token; the caller has checked peek() == '"'.
func (s *scanner) str() (string, error) {
	start := s.i
	s.i++
	escaped := false
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			escaped = true
			s.i += 2
			continue
		case '"':
			s.i++
			if !escaped {
				return string(s.b[start+1 : s.i-1]), nil
			}
			var out string
			if err := json.Unmarshal(s.b[start:s.i], &out); err != nil {
				return "", errors.New("invalid string")
			}
			return out, nil
		}
		s.i++
	}
	return "", errors.New("unterminated string")
}

// literal reads true, false or null.
func (s *scanner) literal() (string, bool) {
	s.ws()
	for _, lit := range []string{"true", "false", "null"} {
		if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
			s.i += len(lit)
			return lit, true
		}
	}
	return "", false
}

// object calls fn for every key of the object at the cursor, with the
// cursor on the key's value; fn must consume the value.
func (s *scanner) object(fn func(key []byte) error) error {
	if !s.consume('{') {
		return errNotObject
	}
	if s.consume('}') {
		return nil
	}
	for {
		if s.peek() != '"' {
			return errNotObject
		}
		key, err := s.key()
		if err != nil {
			return err
		}
		if !s.consume(':') {
			return errNotObject
		}
		if err := fn(key); err != nil {
			return err
		}
		if s.consume(',') {
			continue
		}
		if s.consume('}') {
			return nil
		}
		return errNotObject
	}
}

var errNotObject = errors.New("must be a JSON object")
