package registry_test

import (
	"context"
	"slices"
	"testing"

	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
)

func TestBuiltinCapabilities(t *testing.T) {
	want := map[string][]registry.Capability{
		"journeyapps": {registry.Restore, registry.Resolve, registry.Verify, registry.List, registry.Enumerate, registry.Wipe},
		"backendless": {registry.Restore, registry.Resolve, registry.Verify, registry.List, registry.Enumerate, registry.Where},
		"mendix":      {registry.Resolve}, // cannot read or list its users
		"scim":        {registry.Restore, registry.Resolve, registry.Verify, registry.Enumerate},
	}
	reg := registry.Builtin()
	if got := reg.Names(); !slices.Equal(got, []string{"journeyapps", "backendless", "mendix", "scim"}) {
		t.Fatalf("kinds %v", got)
	}
	for name, caps := range want {
		k, ok := reg.Kind(name)
		if !ok || !slices.Equal(k.Capabilities(), caps) {
			t.Errorf("%s: %v, want %v", name, k.Capabilities(), caps)
		}
	}
}

// Every registry kind has a simulator (the demo, the tests and the
// benchmarks start one per kind).
func TestEveryKindHasASimulator(t *testing.T) {
	for _, name := range registry.Builtin().Names() {
		if simulator.Starters[name] == nil {
			t.Errorf("no simulator for %s", name)
		}
	}
	if len(simulator.Starters) != len(registry.Builtin().Names()) {
		t.Errorf("simulators for kinds the registry does not have")
	}
}

// A client that can only revoke has no capability; one entry adds a kind.
type revokeOnly struct{}

func (revokeOnly) Revoke(_ context.Context, u []provider.User) []provider.Result {
	return make([]provider.Result, len(u))
}

func TestDefineDiscoversCapabilities(t *testing.T) {
	k := registry.Define("acme", func([]byte, rest.Options) (*revokeOnly, error) { return &revokeOnly{}, nil })
	if len(k.Capabilities()) != 0 {
		t.Fatalf("%v", k.Capabilities())
	}
	reg := registry.Builtin().With(k)
	if _, ok := reg.Kind("acme"); !ok || len(reg.Names()) != 5 {
		t.Fatal("With did not add the kind")
	}
	if _, ok := registry.Builtin().Kind("acme"); ok {
		t.Fatal("With changed the builtin registry")
	}
}
