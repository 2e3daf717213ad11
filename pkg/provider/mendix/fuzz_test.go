package mendix

import (
	"strings"
	"testing"
)

// FuzzParseIdentifiers: an identifiers answer never panics the parser, an
// email is never both identified and "no such user" by accident, and only
// a listed email is "no such user".
func FuzzParseIdentifiers(f *testing.F) {
	f.Add([]byte(`{"identifiers":[{"emailAddress":"a@example.com","uuid":"u"}],"error":null}`), "a@example.com")
	f.Add([]byte(`{"identifiers":null,"error":{"emailAddresses":["b@example.com",{"emailAddress":"c@example.com"}]}}`), "c@example.com")
	f.Fuzz(func(t *testing.T, b []byte, email string) {
		a, err := ParseIdentifiers(b)
		if err != nil {
			return
		}
		l := a.Lookup(email, nil)
		if l.Err == nil && len(l.Matches) == 0 && !a.notFound[lower(email)] {
			t.Fatalf("no such user without the answer saying so: %q", email)
		}
	})
}

func lower(s string) string { return strings.ToLower(s) }
