package message

import (
	"errors"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// MaxUserIDLen and MaxEmailLen bound the two ways of naming a user.
const (
	MaxUserIDLen = 128
	MaxEmailLen  = 254
)

// MaxConnectionNameLen bounds a connection's name.
const MaxConnectionNameLen = 64

// CheckConnectionName accepts a connection's name (CONNECTIONS): 1–64
// characters of [a-z0-9-]. Provider names in the registry follow the same
// rule.
func CheckConnectionName(s string) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	if len(s) > MaxConnectionNameLen {
		return errors.New("must be at most 64 characters")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return errors.New("may contain only a-z, 0-9 and -")
		}
	}
	return nil
}

// CheckUserID accepts 1–128 characters of [A-Za-z0-9._@:+-], and never a
// run of dots alone ("." or ".." would change a URL path even when escaped).
// Like CheckEmail, it applies CheckText first, the one check for what may
// reach a log.
func CheckUserID(s string) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	if err := CheckText(s); err != nil {
		return err
	}
	if len(s) > MaxUserIDLen {
		return errors.New("must be at most 128 characters")
	}
	dots := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '_', c == '@', c == ':', c == '+', c == '-':
			dots = false
		case c == '.':
		default:
			return errors.New("may contain only A-Z, a-z, 0-9 and . _ @ : + -")
		}
	}
	if dots {
		return errors.New("must not consist of dots only")
	}
	return nil
}

// CheckEmail accepts a single RFC 5322 addr-spec of at most 254 characters:
// no display name, no angle brackets, no comments, no spaces, and nothing
// CheckText refuses (control characters, line separators, Unicode
// bidirectional controls: "evil\u202egro.elpmaxe@…" would read otherwise
// in a log, the ledger and the CSV). Quoted local parts (and so a second
// '@') are refused: no identity provider issues them and they only serve
// to smuggle quotes into look-ups. Every front door (API, Okta hook and
// stream, SCIM, trigger, sweep) checks addresses with it.
func CheckEmail(s string) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	if len(s) > MaxEmailLen {
		return errors.New("must be at most 254 characters")
	}
	if err := CheckText(s); err != nil {
		return err
	}
	if strings.ContainsRune(s, ' ') {
		return errors.New("must not contain spaces")
	}
	at := strings.IndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.Count(s, "@") != 1 || strings.ContainsAny(s, "\"\\") {
		return errors.New("must be an address like name@example.com")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return errors.New("must be a single address like name@example.com")
	}
	domain := s[at+1:]
	if strings.HasPrefix(domain, "[") || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return errors.New("must have a domain name like example.com")
	}
	return nil
}

// MaxReasonChars bounds a request's reason, in characters.
const MaxReasonChars = 512

// CheckText accepts text that may reach a log line as it is: valid UTF-8
// without control characters, line separators or Unicode bidirectional
// controls (U+202A–U+202E, U+2066–U+2069), which could make an audit line
// read differently from what it says.
func CheckText(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("must be valid UTF-8")
	}
	for _, r := range s {
		switch {
		case isControl(r):
			return errors.New("must not contain control characters or line breaks")
		case isBidi(r):
			return errors.New("must not contain Unicode bidirectional controls")
		}
	}
	return nil
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029
}

// isBidi: the embedding, override and isolate controls, and the implicit
// marks LRM, RLM and ALM.
func isBidi(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

// Unsafe reports whether r may not reach a log line as it is (what
// CheckText refuses, rune by rune; utf8.RuneError included).
func Unsafe(r rune) bool { return isControl(r) || isBidi(r) || r == utf8.RuneError }

// NormalEmail is the form emails are stored and compared in (lower-cased).
func NormalEmail(s string) string { return strings.ToLower(s) }

// Trim makes s safe for a reason: characters that may not reach a log are
// dropped, and it is cut to n characters.
func Trim(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if Unsafe(r) {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
