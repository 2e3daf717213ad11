package submit

import (
	"context"
	"testing"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/request"
)

// lockOnly can revoke by id and nothing else.
type lockOnly struct{}

func (lockOnly) Revoke(context.Context, []provider.User) []provider.Result { return nil }

// The Submitter plans a request against its own registry: what the
// connection's provider can do decides, never its name.
func TestExpandUsesTheRegistry(t *testing.T) {
	restore := &request.Request{Action: message.Restore, Targets: []message.Target{{Connection: "tools", UserID: "u1"}}}
	for _, tc := range []struct {
		name string
		reg  *registry.Registry
		ok   bool
	}{
		{"built-in scim can restore", nil, true},
		{"a registry whose scim cannot restore", registry.Builtin().With(registry.Define("scim", func([]byte, rest.Options) (lockOnly, error) { return lockOnly{}, nil })), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _, _ := fixture(t, map[string]string{"CONNECTIONS": "tools=scim"})
			s.Providers = tc.reg
			planned, err := s.Expand(restore)
			if (err == nil) != tc.ok {
				t.Fatalf("Expand: %v, want ok %v", err, tc.ok)
			}
			if tc.ok && (len(planned) != 1 || planned[0].Provider != "scim") {
				t.Fatalf("planned %+v", planned)
			}
		})
	}
}
