package wiring

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/revoke-dev/revoke/pkg/auth"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/secrets"
	"github.com/revoke-dev/revoke/pkg/submit"
)

// TokenRefreshAfter is how old the cached API and SCIM tokens must be
// before an unknown token re-reads their secret (a token may just have
// been rotated in): at most one read a minute, however many bad tokens
// arrive.
const TokenRefreshAfter = time.Minute

// Parts are what the handlers are built from.
type Parts struct {
	Config    *config.Config
	Providers *registry.Registry // the provider kinds CONNECTIONS names
	Log       *slog.Logger
	Secrets   *secrets.Cache   // connection secrets and the token secrets
	Queue     queue.Queue      // the revoke queue and the DLQ, by URL
	Ledger    *ledger.Ledger   // every request, outcome and key
	Metrics   io.Writer        // EMF lines (stdout in Lambda); nil: none
	Directory directory.Reader // the followed directories (trigger, sweep); nil: none
}

// Load reads the configuration and checks every connection's provider
// against reg: a misspelt provider stops the function at init.
func Load(getenv config.Getenv, reg *registry.Registry) (*config.Config, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, err
	}
	if err := reg.Check(cfg.Connections); err != nil {
		return nil, fmt.Errorf("wiring: %w", err)
	}
	return cfg, nil
}

// Tokens is the authenticator of a tokens secret (API_TOKENS_SECRET_ID,
// SCIM_TOKENS_SECRET_ID).
func (p *Parts) Tokens(secretID string) *auth.Authenticator {
	return &auth.Authenticator{SecretID: secretID, Source: p.Secrets, RefreshAfter: TokenRefreshAfter, Log: p.Log}
}

// Submitter is the one request path.
func (p *Parts) Submitter() *submit.Submitter {
	return &submit.Submitter{Config: p.Config, Providers: p.Providers, Ledger: p.Ledger, Queue: p.Queue, Log: p.Log, Metrics: p.Metrics}
}
