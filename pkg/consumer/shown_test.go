package consumer

import (
	"strings"
	"testing"
)

// An address a provider shows is kept only when it passes the request's
// email check; a refused one reaches the log quoted, cut and escaped.
func TestShownEmail(t *testing.T) {
	for _, tc := range []struct {
		name, in, keep string
		refused        bool
	}{
		{"empty", "", "", false},
		{"valid", "Alice@corp.example", "Alice@corp.example", false},
		{"too long", strings.Repeat("x", 5000) + "@corp.example", "", true},
		{"control", "a\nb@corp.example", "", true},
		{"not an address", "alice", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keep, refused := shownEmail(tc.in)
			if keep != tc.keep || (refused != "") != tc.refused {
				t.Fatalf("keep %q refused %q", keep, refused)
			}
			if len(refused) > 2*maxRefusedShown+40 || strings.ContainsAny(refused, "\n\u202e") {
				t.Fatalf("refused not bounded or not escaped: %q", refused)
			}
		})
	}
}
