// Package runtimeapi is a local implementation of the AWS Lambda Runtime
// API (2018-06-01: invocation/next, /response, /error and init/error): it
// runs a built `bootstrap` exactly as Lambda does — a process that polls
// for events over HTTP — so the real binaries and the sample events in
// events/ can be exercised without Docker (`revokectl invoke`, the
// end-to-end tests, cold-start benchmarks).
package runtimeapi
