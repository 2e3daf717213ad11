package message

import (
	"strings"
	"testing"
)

// TestDomains: an allow-list matches domains exactly and case-insensitively;
// the zero value allows any valid address; invalid lists are refused.
func TestDomains(t *testing.T) {
	d, err := ParseDomains(" Corp.Example, @eu.corp.example ,")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		email string
		want  bool
	}{
		{"listed", "ceo@corp.example", true},
		{"case", "CEO@CORP.EXAMPLE", true},
		{"listed subdomain", "a@eu.corp.example", true},
		{"unlisted subdomain", "a@us.corp.example", false},
		{"suffix trick", "a@evilcorp.example", false},
		{"other domain", "a@gmail.com", false},
		{"not an address", "corp.example", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := d.Allows(tc.email); got != tc.want {
				t.Fatalf("Allows(%q) = %v", tc.email, got)
			}
		})
	}
	if !(Domains{}).Allows("x@any.example") || (Domains{}).Set() || !d.Set() {
		t.Fatal("the zero value must allow any address and be unset")
	}
	for _, bad := range []string{"corp", "a b.example", "x@corp.example", "corp.example/"} {
		if _, err := ParseDomains(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	ok, refused := d.Split([]string{"a@corp.example", "b@other.example"})
	if len(ok) != 1 || len(refused) != 1 || refused[0] != "b@other.example" {
		t.Fatal(ok, refused)
	}
}

func FuzzParseDomains(f *testing.F) {
	f.Add("corp.example,eu.corp.example")
	f.Add("@x.example, ,")
	f.Add("a." + strings.Repeat("5", 245)) // a domain only a one-letter local part still fits beside
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDomains(s)
		if err != nil {
			return
		}
		// Every listed domain allows an address of it: the shortest one
		// (a longer local part may not fit beside a long domain in 254).
		for _, dom := range d.list {
			if !d.Allows("x@" + dom) {
				t.Fatalf("%q does not allow its own domain %q", s, dom)
			}
		}
	})
}
