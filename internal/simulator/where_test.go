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
