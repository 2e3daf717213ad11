// Package retry is revoke's one retry and back-off policy: a few bounded
// attempts with full jitter, honouring a server's Retry-After, never
// sleeping past the context's deadline and never retrying a cancelled
// context or an error that does not say it is retryable.
//
// An error opts in by implementing interface{ Retryable() bool } anywhere in
// its chain (found with errors.As); it may also suggest a wait with
// interface{ RetryAfter() time.Duration }.
package retry
