package registry_test

import (
	"context"
	"fmt"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
)

// acmeClient revokes and reads accounts back; it cannot restore.
type acmeClient struct{}

func (*acmeClient) Revoke(_ context.Context, users []provider.User) []provider.Result {
	return make([]provider.Result, len(users))
}

func (*acmeClient) Verify(_ context.Context, ids []string) []provider.State {
	return make([]provider.State, len(ids))
}

func newAcme([]byte, rest.Options) (*acmeClient, error) { return &acmeClient{}, nil }

// Define discovers what a provider can do from its client type's
// interfaces; the registry then answers for every connection of that
// provider, and checks CONNECTIONS at init.
func ExampleDefine() {
	reg := registry.Builtin().With(registry.Define("acme", newAcme))
	k, _ := reg.Kind("acme")
	fmt.Println(k.Capabilities())
	fmt.Println(reg.Can("acme", registry.Restore), reg.Can("journeyapps", registry.Wipe))

	cfg, _ := config.Load(func(k string) string { return map[string]string{"CONNECTIONS": "tools=acme,crm=salesforce"}[k] })
	fmt.Println(reg.Check(cfg.Connections))
	// Output:
	// [verify]
	// false true
	// config: CONNECTIONS: crm: unknown provider "salesforce" (want one of journeyapps, backendless, mendix, scim, acme)
}
