// Package simulator holds stateful HTTP simulators of the four providers
// (JourneyApps, Backendless, Mendix, SCIM 2.0) speaking their documented
// paths, headers, bodies and error shapes and checking the credential. Each
// can add latency, enforce a token-bucket rate limit (429 with or without
// Retry-After; Backendless' code 999, sometimes with HTTP 200), and inject
// faults (5xx, hangs longer than a client's timeout, dropped connections)
// at a given rate. They count what they served. Tests, `make demo` and
// `make bench` all use them.
package simulator
