// Package bench produces BENCHMARKS.md (`make bench`): end-to-end
// throughput against rate-limited simulators next to the rate-limit lower
// bound and a sequential one-request-per-user loop, cold start and size of
// each bootstrap next to an empty handler with the same SDK clients, the
// consumer's peak heap for a 10,000-message batch, and freshness (time from
// the API's 202 to the provider call). It measures and reports; it asserts
// nothing about time, but fails if any target is lost.
package bench
