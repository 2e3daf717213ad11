package wiring_test

import (
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/pkg/api"
	"github.com/revoke-dev/revoke/pkg/auth"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/consumer"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/scimapi"
	"github.com/revoke-dev/revoke/pkg/secrets"
	"github.com/revoke-dev/revoke/pkg/sweep"
	"github.com/revoke-dev/revoke/pkg/trigger"
	"github.com/revoke-dev/revoke/pkg/wiring"
)

func parts(t *testing.T) *wiring.Parts {
	t.Helper()
	reg := registry.Builtin()
	cfg, err := wiring.Load(func(k string) string {
		return map[string]string{"CONNECTIONS": "crm=backendless", "API_TOKENS_SECRET_ID": "api", "SCIM_TOKENS_SECRET_ID": "scim"}[k]
	}, reg)
	if err != nil {
		t.Fatal(err)
	}
	return &wiring.Parts{Config: cfg, Providers: reg, Log: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Secrets: secrets.NewCache(&inmem.Secrets{}, config.DefaultSecretTTL), Queue: inmem.NewQueue(),
		Ledger: ledger.New(inmem.NewStore(nil), 0), Metrics: io.Discard}
}

// checkTokens: the token sources re-read a rotated secret at most once a
// minute and log unusable entries (before, the embedded pipeline's did
// neither).
func checkTokens(t *testing.T, what string, a *auth.Authenticator, secretID string) {
	t.Helper()
	if a == nil || a.SecretID != secretID || a.Source == nil || a.RefreshAfter != wiring.TokenRefreshAfter || a.Log == nil {
		t.Errorf("%s tokens: %+v", what, a)
	}
}

// Each handler package builds its handler from the shared parts; the
// Lambda mains and the embedded pipeline call these constructors.
func TestConstructors(t *testing.T) {
	p := parts(t)
	for _, tc := range []struct {
		name  string
		check func(t *testing.T)
	}{
		{"api", func(t *testing.T) {
			h := api.New(p)
			checkTokens(t, "api", h.Auth, "api")
			s, ok := h.SCIM.(*scimapi.Handler)
			if !ok {
				t.Fatalf("no SCIM front door: %T", h.SCIM)
			}
			checkTokens(t, "scim", s.Auth, "scim")
			if h.Submit == nil || s.Submit != h.Submit || h.Submit.Providers != p.Providers || h.Submit.Metrics == nil || h.Ledger != p.Ledger {
				t.Errorf("request path %+v", h.Submit)
			}
		}},
		{"consumer", func(t *testing.T) {
			c := consumer.New(p)
			if c.Providers != p.Providers || c.Secrets == nil || c.DLQ == nil || c.Ledger != p.Ledger || c.Metrics == nil || c.Log == nil {
				t.Errorf("%+v", c)
			}
		}},
		{"sweep", func(t *testing.T) {
			s := sweep.New(p)
			if s.Providers != p.Providers || s.Secrets == nil || s.Queue == nil || s.Submit == nil || s.Submit.Providers != p.Providers || s.Metrics == nil {
				t.Errorf("%+v", s)
			}
		}},
		{"trigger", func(t *testing.T) {
			h := trigger.New(p)
			if h.Submit == nil || h.Submit.Providers != p.Providers || h.Ledger != p.Ledger || h.Log == nil ||
				!reflect.DeepEqual(h.Events.OktaEventTypes, p.Config.OktaEventTypes) || !reflect.DeepEqual(h.Events.Auth0LogTypes, p.Config.Auth0LogTypes) ||
				!reflect.DeepEqual(h.Events.Directories, p.Config.DirectorySources) || h.Events.Account != "" {
				t.Errorf("%+v", h)
			}
		}},
	} {
		t.Run(tc.name, tc.check)
	}
}

func TestLoadChecksProviders(t *testing.T) {
	_, err := wiring.Load(func(k string) string { return map[string]string{"CONNECTIONS": "crm=salesforce"}[k] }, registry.Builtin())
	if err == nil || !strings.Contains(err.Error(), `unknown provider "salesforce"`) {
		t.Fatalf("err %v", err)
	}
}
