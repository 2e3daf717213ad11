// Package wiring is what revoke's handlers are built from: the parts every
// function shares (configuration, provider registry, logger, secrets,
// queue, ledger, metrics, followed directories), gathered once by the
// Lambda functions (pkg/lambdainit, on AWS) and by the embedded pipeline
// (internal/embedded: the demo, the benchmarks and the soak, in memory).
// Each handler package builds its handler from Parts with its own New
// (api.New, consumer.New, sweep.New, trigger.New), and the request path
// and the token sources are built here, once, so what the demo runs is
// what Lambda runs and no binary links a handler it does not serve.
package wiring
