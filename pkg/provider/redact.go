package provider

import (
	"net/url"
	"strings"

	"github.com/revoke-dev/revoke/pkg/message"
)

// MaxErrorText bounds the provider text an error carries (bytes).
const MaxErrorText = 300

// minPrefix is the shortest piece of a secret that is redacted wherever it
// appears: a provider that echoes part of a credential must not leak it.
const minPrefix = 5

// placeholder replaces what is redacted.
const placeholder = "[REDACTED]"

// Redactor removes a connection's secret values from provider text. It is
// the one redaction step of every provider and path: Clean redacts first
// and truncates after, so a secret that straddles the cut cannot leave its
// first bytes behind. The zero value redacts nothing.
type Redactor struct {
	secrets []string // each value in the forms it may be echoed in
}

// NewRedactor returns a Redactor for the given secret values (values
// shorter than 4 bytes are too short to be credentials and are ignored).
func NewRedactor(values ...string) Redactor {
	var r Redactor
	for _, v := range values {
		if len(v) < 4 {
			continue
		}
		r.secrets = append(r.secrets, v)
		for _, f := range []string{url.PathEscape(v), url.QueryEscape(v), jsonEscape(v)} {
			if f != v && len(f) >= 4 {
				r.secrets = append(r.secrets, f)
			}
		}
	}
	return r
}

// Clean redacts s, maps control characters to spaces and truncates the
// result to MaxErrorText bytes on a rune boundary. The cut text is
// redacted once more: the ellipsis it ends with could complete a prefix.
func (r Redactor) Clean(s string) string {
	return r.Redact(truncate(r.Redact(controls(s)), MaxErrorText))
}

// Redact replaces every secret, and every piece of one of at least five
// bytes that starts it, by a placeholder.
func (r Redactor) Redact(s string) string {
	if len(r.secrets) == 0 || s == "" {
		return s
	}
	for range 4 {
		changed := false
		for _, sec := range r.secrets {
			var ok bool
			if s, ok = redactOne(s, sec); ok {
				changed = true
			}
		}
		if !changed {
			return s
		}
	}
	if r.dirty(s) { // a secret that contains the placeholder itself: give up on the text
		return ""
	}
	return s
}

func (r Redactor) dirty(s string) bool {
	for _, sec := range r.secrets {
		if strings.Contains(s, sec[:min(len(sec), minPrefix)]) {
			return true
		}
	}
	return false
}

// redactOne replaces each occurrence of sec, or of a prefix of it of at
// least minPrefix bytes (the whole of a shorter secret), by placeholder.
func redactOne(s, sec string) (string, bool) {
	head := sec[:min(len(sec), minPrefix)]
	i := strings.Index(s, head)
	if i < 0 {
		return s, false
	}
	var b strings.Builder
	for i >= 0 {
		n := len(head)
		for n < len(sec) && i+n < len(s) && s[i+n] == sec[n] {
			n++
		}
		b.WriteString(s[:i])
		b.WriteString(placeholder)
		s = s[i+n:]
		i = strings.Index(s, head)
	}
	b.WriteString(s)
	return b.String(), true
}

func jsonEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c == '/':
			b.WriteString(`\/`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[c>>4])
			b.WriteByte("0123456789abcdef"[c&0xf])
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// controls maps what may not reach a log line (message.Unsafe) to spaces.
func controls(s string) string {
	return strings.Map(func(r rune) rune {
		if message.Unsafe(r) {
			return ' '
		}
		return r
	}, s)
}

// truncate shortens s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// Truncate shortens s to at most n bytes on a rune boundary, with control
// characters mapped to spaces. It does not redact: use it only on text
// that holds no provider answer.
func Truncate(s string, n int) string { return truncate(controls(s), n) }
