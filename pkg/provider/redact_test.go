package provider

import (
	"net/url"
	"strings"
	"testing"
)

// The secret straddles the 300-byte cut: redacting before truncating
// leaves none of it. (Before: truncation first left its first bytes.)
func TestRedactBeforeTruncate(t *testing.T) {
	secret := "MxTok-0123456789abcdefghij"
	body := strings.Repeat("x", 290) + secret + " trailing"
	got := NewRedactor(secret).Clean(body)
	if strings.Contains(got, secret[:5]) || !strings.Contains(got, "[REDACTED]") {
		t.Fatalf("%q", got)
	}
	if len(got) > MaxErrorText+len("…") {
		t.Fatalf("%d bytes", len(got))
	}
}

func TestRedactForms(t *testing.T) {
	secret := "key/with+special&chars"
	r := NewRedactor(secret)
	for _, s := range []string{secret, url.PathEscape(secret), url.QueryEscape(secret), `{"k":"key\/with+special&chars"}`, secret[:7] + "…"} {
		if got := r.Clean("echo " + s + " end"); strings.Contains(got, secret[:5]) {
			t.Errorf("%q → %q", s, got)
		}
	}
	if got := NewRedactor().Clean("plain"); got != "plain" {
		t.Fatal(got)
	}
}

// FuzzRedact: for any body and any secret (of at least 4 bytes), the
// cleaned text never contains the secret, nor a prefix of it longer than
// 4 bytes, and it is at most MaxErrorText bytes plus the ellipsis.
func FuzzRedact(f *testing.F) {
	f.Add("token: abcdefghij end", "abcdefghij")
	f.Add(strings.Repeat("y", 297)+"abcdefghij", "abcdefghij")
	f.Add("abcd… abcde", "abcde…")
	f.Add("[REDACTED]x", "[REDACTED]xyz")
	f.Add(strings.Repeat("z", 296)+"abcd and more", "abcd…")
	f.Fuzz(func(t *testing.T, body, secret string) {
		if len(secret) < 4 {
			return
		}
		got := NewRedactor(secret).Clean(body)
		if len(got) > MaxErrorText+len("…")+len(placeholder) {
			t.Fatalf("%d bytes", len(got))
		}
		for n := min(len(secret), minPrefix); n <= len(secret); n++ {
			if strings.Contains(got, secret[:n]) && !strings.Contains(controls(secret[:n]), "\x00") {
				// A prefix made of what controls() maps can only appear mapped.
				if controls(secret[:n]) == secret[:n] {
					t.Fatalf("secret prefix %q in %q", secret[:n], got)
				}
			}
		}
	})
}
