package directory_test

import (
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/pkg/directory"
)

func TestParseSources(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     string // the sources' String()s joined by ","; "!" means refused
	}{
		{"empty", "", ""},
		{"both types", " identitystore:d-1234567890 , cognito:us-east-1_AbCdEf", "identitystore:d-1234567890,cognito:us-east-1_AbCdEf"},
		{"unknown type", "ldap:x", "!"},
		{"no id", "identitystore:", "!"},
		{"slash in id", "cognito:us-east-1_a/b", "!"},
		{"id too long", "cognito:" + strings.Repeat("a", 129), "!"},
		{"too many", strings.Repeat("cognito:a,", 101), "!"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := directory.ParseSources(tc.in)
			if tc.want == "!" {
				if err == nil {
					t.Fatalf("accepted %q: %v", tc.in, got)
				}
				return
			}
			var s []string
			for _, d := range got {
				s = append(s, d.String())
			}
			if err != nil || strings.Join(s, ",") != tc.want {
				t.Fatalf("ParseSources = %v, %v; want %s", s, err, tc.want)
			}
		})
	}
}

func FuzzParseSources(f *testing.F) {
	f.Add("identitystore:d-1234567890,cognito:us-east-1_AbCdEf")
	f.Add("ldap:x")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := directory.ParseSources(in)
		if err != nil {
			return
		}
		for _, d := range got {
			if (d.Type != directory.IdentityStore && d.Type != directory.Cognito) || d.ID == "" || len(d.ID) > 128 || strings.ContainsAny(d.ID, ":,/ ") {
				t.Fatalf("accepted %+v from %q", d, in)
			}
		}
	})
}
