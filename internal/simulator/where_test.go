package simulator

import "testing"

func TestWhere(t *testing.T) {
	row := map[string]any{"email": "o'brien@example.com", "userStatus": "ENABLED", "lastLogin": int64(1000)}
	for where, want := range map[string]bool{
		"":                             true,
		"email='o''brien@example.com'": true,
		"email = 'x@example.com'":      false,
		"lastLogin < 2000":             true,
		"lastLogin < 2000 AND userStatus = 'DISABLED'": false,
		"(lastLogin >= 1000) OR email='x'":             true,
		"missing > 1":                                  false,
		"missing IS NULL":                              true,
		"lastLogin is null":                            false,
		"lastLogin IS NOT NULL":                        true,
		"(lastLogin < 500 OR (missing IS NULL AND lastLogin > 1))": true,
	} {
		f, err := parseWhere(where)
		if err != nil {
			t.Fatalf("%q: %v", where, err)
		}
		if got := f(row); got != want {
			t.Errorf("%q = %v, want %v", where, got, want)
		}
	}
	for _, bad := range []string{"email=", "email = 'x", "(a = 1", "= 1", "a = 1 b", "a IS", "a IS NULLX", "a IS NOT 1"} {
		if _, err := parseWhere(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The simulator parses whatever where clause a client (or a sweep input)
// sends: it answers or refuses, and never panics.
func FuzzParseWhere(f *testing.F) {
	for _, s := range []string{"", "lastLogin < 5", "(lastLogin < 5 OR (lastLogin IS NULL AND created < 5))", "a IS NOT NULL", "email='o''b'", "a IS", "(("} {
		f.Add(s)
	}
	row := map[string]any{"email": "a@example.com", "lastLogin": nil, "created": int64(3)}
	f.Fuzz(func(t *testing.T, s string) {
		pred, err := parseWhere(s)
		if err != nil {
			return
		}
		if pred(row) != pred(row) {
			t.Fatalf("%q: not deterministic", s)
		}
	})
}
