package sweep

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
)

// The sweep revokes a connection's orphans by itself only when the
// settings its client was built with say orphans: revoke; a secret that
// is missing, out of range or that no client can be built from never
// does. Before, the sweep parsed the secret's common settings by itself,
// so a secret no client could use (here a base URL that is not one) still
// said revoke.
func TestRevokesOrphans(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  map[string]any // merged into crm's working secret; nil: a connection without one
		wants bool
	}{
		{"orphans revoke", map[string]any{"orphans": "revoke"}, true},
		{"orphans absent", map[string]any{}, false},
		{"orphans something else", map[string]any{"orphans": "report"}, false},
		{"no secret", nil, false},
		{"settings out of range", map[string]any{"orphans": "revoke", "burst": -1}, false},
		{"secret no client can use", map[string]any{"orphans": "revoke", "base_url": "not a url"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, registry.Builtin(), simulator.FleetConnections()+",gone=backendless") // no secret revoke/gone
			e.sweeper.init()
			secret := map[string]any{}
			if err := json.Unmarshal([]byte(e.Secret("crm", simulator.Settings{})), &secret); err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.edit {
				secret[k] = v
			}
			b, _ := json.Marshal(secret)
			e.secrets.Put("revoke/crm", string(b))
			name := "crm"
			if tc.edit == nil {
				name = "gone"
			}
			cn, ok := e.sweeper.Config.Connection(name)
			if !ok {
				t.Fatalf("no connection %s", name)
			}
			if got := e.sweeper.revokesOrphans(context.Background(), cn); got != tc.wants {
				t.Fatalf("revokesOrphans %t, want %t", got, tc.wants)
			}
		})
	}
}
