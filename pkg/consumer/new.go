package consumer

import "github.com/revoke-dev/revoke/pkg/wiring"

// New is the consumer function's handler, built from the parts every
// function shares: the Lambda function and each instance of the embedded
// pipeline build it here. Build one per container (it keeps each
// connection's client and rate limiter).
func New(p *wiring.Parts) *Consumer {
	return &Consumer{Config: p.Config, Providers: p.Providers, Secrets: p.Secrets, DLQ: p.Queue, Proofs: p.Queue, Ledger: p.Ledger, Log: p.Log, Metrics: p.Metrics,
		Submit: p.Submitter()}
}
