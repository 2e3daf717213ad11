// Package message is the one format of a revoke queue message: one target
// (a user on one connection) with the request that asked for it. The API and
// the sweep encode it, the consumer decodes it, and a message in the
// dead-letter queue keeps it byte for byte so it can be re-driven as is.
package message
