package message

import (
	"strings"
	"testing"
)

func TestCheckConnectionName(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"plain", "crm", true},
		{"digits and hyphens", "field-app-2", true},
		{"64 characters", strings.Repeat("a", 64), true},
		{"empty", "", false},
		{"65 characters", strings.Repeat("a", 65), false},
		{"upper case", "CRM", false},
		{"a user id's characters", "crm.eu@x:1+y_z", false},
		{"slash", "a/b", false},
		{"space", "a b", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckConnectionName(tc.in); (err == nil) != tc.ok {
				t.Fatalf("CheckConnectionName(%q) = %v, want ok %v", tc.in, err, tc.ok)
			}
		})
	}
}

func FuzzCheckConnectionName(f *testing.F) {
	f.Add("crm")
	f.Add("Crm.x")
	f.Fuzz(func(t *testing.T, s string) {
		if CheckConnectionName(s) != nil {
			return
		}
		if s == "" || len(s) > MaxConnectionNameLen || strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			t.Fatalf("accepted %q", s)
		}
	})
}
