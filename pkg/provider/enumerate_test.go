package provider

import (
	"strconv"
	"testing"
)

func TestParseOffset(t *testing.T) {
	for _, tc := range []struct {
		name, cursor string
		want         int
		ok           bool
	}{
		{"empty is the start", "", 0, true},
		{"decimal", "500", 500, true},
		{"the bound", "10000000", MaxOffset, true},
		{"past the bound", "10000001", 0, false},
		{"negative", "-1", 0, false},
		{"leading zero", "0500", 0, false},
		{"sign", "+5", 0, false},
		{"not a number", "abc", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := ParseOffset("op", tc.cursor)
			if (err == nil) != tc.ok || n != tc.want {
				t.Fatalf("%d %v", n, err)
			}
			if err != nil && As(err).Retryable() {
				t.Fatal("a bad cursor is retried")
			}
		})
	}
	if NextOffset(100, 50, true) != "150" || NextOffset(100, 50, false) != "" || NextOffset(100, 0, true) != "" {
		t.Fatal("NextOffset")
	}
}

// FuzzParseOffset: whatever the cursor, an offset within bounds or an
// error, and an accepted cursor is its own canonical form.
func FuzzParseOffset(f *testing.F) {
	for _, s := range []string{"", "0", "500", "-1", "10000001", "1e3", " 5", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseOffset("op", s)
		if err != nil {
			return
		}
		if n < 0 || n > MaxOffset || (s != "" && strconv.Itoa(n) != s) {
			t.Fatalf("%q → %d", s, n)
		}
	})
}
