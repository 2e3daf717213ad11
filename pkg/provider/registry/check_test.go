package registry_test

import (
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		conns []config.Connection
		err   string // "" means accepted
	}{
		{"none", nil, ""},
		{"built-in providers", []config.Connection{{Name: "crm", Provider: "backendless"}, {Name: "wiki", Provider: "scim"}}, ""},
		{"unknown provider", []config.Connection{{Name: "crm", Provider: "backendless"}, {Name: "sf", Provider: "salesforce"}},
			`sf: unknown provider "salesforce" (want one of journeyapps, backendless, mendix, scim)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := registry.Builtin().Check(tc.conns)
			if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("Check = %v, want %q", err, tc.err)
			}
		})
	}
}

func TestCan(t *testing.T) {
	reg := registry.Builtin()
	for _, tc := range []struct {
		name     string
		provider string
		c        registry.Capability
		want     bool
	}{
		{"journeyapps wipes", "journeyapps", registry.Wipe, true},
		{"mendix cannot restore", "mendix", registry.Restore, false},
		{"unknown provider can nothing", "salesforce", registry.Resolve, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := reg.Can(tc.provider, tc.c); got != tc.want {
				t.Fatalf("Can = %v, want %v", got, tc.want)
			}
		})
	}
}
