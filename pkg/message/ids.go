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

// CheckUserID accepts 1–128 characters of [A-Za-z0-9._@:+-], and never a
// run of dots alone ("." or ".." would change a URL path even when escaped).
func CheckUserID(s string) error {
	if s == "" {
		return errors.New("must not be empty")
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
// no display name, no angle brackets, no comments, no control characters.
// Quoted local parts (and so a second '@') are refused: no identity
// provider issues them and they only serve to smuggle quotes into look-ups.
func CheckEmail(s string) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	if len(s) > MaxEmailLen {
		return errors.New("must be at most 254 characters")
	}
	if !utf8.ValidString(s) {
		return errors.New("must be valid UTF-8")
	}
	for _, r := range s {
		if r < 0x21 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 {
			return errors.New("must not contain spaces or control characters")
		}
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
