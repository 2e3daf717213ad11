// Package ledger records every request and every target's fate (DESIGN.md
// §8), so "was Alice fully offboarded?" is one API call and an auditor can
// export the evidence.
//
// The records live in one table behind the small Store interface:
// DynamoDB (Dynamo) in a deployment, an in-memory store with the same
// semantics for the demo, the benchmarks and unit tests. Outcomes are
// append-only attempts, folded on read by precedence, so SQS's
// at-least-once and out-of-order deliveries cannot make a late "retrying"
// overwrite "done". Every access pattern is a key look-up or a query of
// one partition; nothing scans the table.
package ledger
