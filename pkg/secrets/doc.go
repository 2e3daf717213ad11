// Package secrets reads JSON secrets from AWS Secrets Manager (or an
// in-memory store for the demo, tests and benchmarks) and caches them per
// container with a TTL, with at most one fetch in flight per secret.
package secrets
