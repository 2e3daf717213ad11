package request_test

import (
	"fmt"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/request"
)

// A POST /revocations body is parsed (its shape), then expanded against
// the configured connections and what their providers can do: "*" becomes
// every connection that can look users up by email.
func Example() {
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"CONNECTIONS": "field-app=journeyapps,crm=backendless,idp=mendix"}[k]
	})
	if err != nil {
		panic(err)
	}
	r, err := request.Parse([]byte(`{"action":"revoke","reason":"left the company",
		"targets":[{"connection":"field-app","user_id":"ad66ab80"},{"connection":"*","email":"alice@example.com"}]}`), 100)
	if err != nil {
		panic(err)
	}
	planned, err := request.Expand(r, cfg, registry.Builtin())
	if err != nil {
		panic(err)
	}
	for _, p := range planned {
		fmt.Println(p.Connection, p.Provider, p.UserID+p.Email)
	}
	// Output:
	// field-app journeyapps ad66ab80
	// field-app journeyapps alice@example.com
	// crm backendless alice@example.com
	// idp mendix alice@example.com
}

// A rule a connection's provider cannot meet is a field error naming the
// target, before anything is recorded or queued.
func ExampleExpand_unsupported() {
	cfg, _ := config.Load(func(k string) string { return map[string]string{"CONNECTIONS": "idp=mendix"}[k] })
	r, _ := request.Parse([]byte(`{"action":"restore","targets":[{"connection":"idp","user_id":"u1"}]}`), 100)
	_, err := request.Expand(r, cfg, registry.Builtin())
	fmt.Println(err)
	// Output:
	// targets[0]: idp (mendix) cannot restore access; only revoke is supported
}
