package trigger

import "github.com/revoke-dev/revoke/pkg/wiring"

// New is the trigger function's handler, built from the parts every
// function shares: the Lambda function and the embedded pipeline both
// build it here.
func New(p *wiring.Parts) *Handler {
	return &Handler{Config: p.Config, Submit: p.Submitter(), Ledger: p.Ledger, Directory: p.Directory, Log: p.Log}
}
