// Package sweep is the scheduled sweep (docs/design.md §5): it re-drives
// dead-letter messages that failed for transient reasons, and finds
// accounts that should be revoked (inactive for N days, or matching a
// provider-side filter) and enqueues their revocation. It queues drift
// checks of the accounts revoke revoked and orphan-listing pages for the
// consumer (it never reads a provider for them) and compares a finished
// listing with the directory (drift.go, orphans.go, compare.go). A dry run reports
// the same numbers and changes nothing, and every DLQ message a run looks
// at and keeps is made visible again when the run ends.
package sweep
