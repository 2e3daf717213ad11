// Package wiring builds revoke's handlers from their parts, in one place,
// for the Lambda functions (functions/*/main.go, through pkg/lambdainit)
// and the embedded pipeline (internal/embedded: the demo, the benchmarks
// and the soak) alike: what the demo runs is what Lambda runs. A main
// gathers the parts that touch AWS; the embedded pipeline gathers
// in-memory ones; neither sets a handler's options itself.
package wiring
