package api

import (
	"github.com/revoke-dev/revoke/pkg/scimapi"
	"github.com/revoke-dev/revoke/pkg/wiring"
)

// New is the API function's handler, with the SCIM front door, built from
// the parts every function shares: the Lambda function and the embedded
// pipeline both build it here.
func New(p *wiring.Parts) *Handler {
	sub := p.Submitter()
	return &Handler{
		Config: p.Config, Auth: p.Tokens(p.Config.APITokensSecretID), Submit: sub, Ledger: p.Ledger, Log: p.Log,
		SCIM: &scimapi.Handler{Restore: p.Config.SCIMRestore, Auth: p.Tokens(p.Config.SCIMTokensSecretID), Ledger: p.Ledger, Submit: sub},
	}
}
