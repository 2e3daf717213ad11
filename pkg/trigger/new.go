package trigger

import (
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/wiring"
)

// New is the trigger function's handler, built from the parts every
// function shares: the Lambda function and the embedded pipeline both
// build it here.
func New(p *wiring.Parts) *Handler {
	return &Handler{Events: eventsOf(p.Config), Submit: p.Submitter(), Ledger: p.Ledger, Directory: p.Directory, Log: p.Log}
}

// eventsOf is what the configuration lets the trigger act on; the account
// is learned per invocation.
func eventsOf(c *config.Config) Options {
	return Options{OktaEventTypes: c.OktaEventTypes, Auth0LogTypes: c.Auth0LogTypes, Directories: c.DirectorySources,
		OktaSource: c.OktaEventSource, Auth0Source: c.Auth0EventSource}
}
