// Package queue is the small interface revoke needs from a message queue,
// with two implementations: SQS (in Lambda and the integration tests) and
// an embedded in-process broker with SQS semantics (visibility timeout,
// receive count, redrive to a dead-letter queue) for the demo, tests and
// benchmarks. It also holds the two pieces of queue logic every caller
// shares: SendAll (batched, parallel, retried sends) and Poller (what
// Lambda's SQS event source mapping does).
package queue
