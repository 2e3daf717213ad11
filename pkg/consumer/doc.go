// Package consumer is the consumer function's processing: a batch of SQS
// messages in, provider calls out, and an SQS partial-batch response back
// (docs/design.md §4). Every message ends in exactly one of three places:
// done (deleted by SQS), a batch item failure (retried by SQS), or the
// dead-letter queue with the reason — and it is only reported as handled
// once its outcome is in the ledger and its DLQ copy is safely sent.
// outcome.go lists, in order, every rule that decides an outcome. The
// sweep's background reads — drift checks and orphan-listing pages — run
// after a batch's changes and read-backs (reads.go, drift.go, listing.go).
package consumer
