package sweep

import "github.com/revoke-dev/revoke/pkg/wiring"

// New is the sweep function's handler, built from the parts every
// function shares.
func New(p *wiring.Parts) *Sweeper {
	return &Sweeper{Config: p.Config, Providers: p.Providers, Queue: p.Queue, Secrets: p.Secrets, Ledger: p.Ledger,
		Submit: p.Submitter(), Directory: p.Directory, Log: p.Log, Metrics: p.Metrics}
}
