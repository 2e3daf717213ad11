// Package queue is the small interface revoke needs from a message queue
// (Sender, Receiver), its SQS implementation, and SendAll: batched,
// parallel, retried sends every caller shares. The embedded broker with
// SQS semantics used by the demo, tests and benchmarks lives in
// internal/inmem, so no Lambda binary carries it.
package queue
