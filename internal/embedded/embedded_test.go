package embedded

import (
	"testing"

	"github.com/revoke-dev/revoke/pkg/auth"
	"github.com/revoke-dev/revoke/pkg/scimapi"
	"github.com/revoke-dev/revoke/pkg/wiring"
)

// The embedded pipeline is built by the Lambda functions' constructors:
// its token sources have the functions' refresh interval and logger
// (before, the demo and the benchmarks re-read the token secret on every
// unknown token), and its handlers have the same registry.
func TestBuiltAsLambda(t *testing.T) {
	p, err := Start(Options{Instances: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Fleet.Close()
	s, ok := p.API.SCIM.(*scimapi.Handler)
	if !ok {
		t.Fatalf("SCIM front door %T", p.API.SCIM)
	}
	for name, a := range map[string]*auth.Authenticator{"api": p.API.Auth, "scim": s.Auth} {
		if a.RefreshAfter != wiring.TokenRefreshAfter || a.Log == nil {
			t.Errorf("%s tokens: RefreshAfter %v, Log %v; want %v and a logger, as in Lambda", name, a.RefreshAfter, a.Log, wiring.TokenRefreshAfter)
		}
	}
	reg := p.API.Submit.Providers
	if reg == nil || p.Trigger.Submit.Providers != reg {
		t.Fatal("the request paths do not share the pipeline's registry")
	}
	for i, c := range p.Consumers {
		if c.Providers != reg || c.OnOutcome == nil || (i > 0 && c.Secrets == p.Consumers[0].Secrets) {
			t.Errorf("consumer %d: %+v", i, c)
		}
	}
}
