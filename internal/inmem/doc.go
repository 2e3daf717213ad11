// Package inmem holds in-memory twins of what revoke talks to in AWS, for
// `make demo`, the benchmarks and the tests: a queue broker with SQS
// semantics (visibility timeout, receive count, redrive to a dead-letter
// queue) and the Poller that does what Lambda's event source mapping does,
// a secrets store, and a ledger store with DynamoDB's semantics. No Lambda
// binary imports it.
package inmem
