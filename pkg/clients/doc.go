// Package clients turns a configured connection into its provider client,
// for the consumer and the sweep alike: the provider comes from the
// registry, the credentials from the connection's secret, and every client
// of a connection shares one rate limiter (its budget, split across
// MAX_CONCURRENCY instances), one HTTP client and one Observe hook for the
// life of the Builder. A client is rebuilt only when its secret changes;
// after a provider refused the credential (401/403) the caller asks once
// for a client on a refreshed secret.
package clients
