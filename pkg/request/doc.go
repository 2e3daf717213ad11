// Package request parses and validates a POST /revocations body (docs/design.md
// §1) and expands it into queue messages, one per target.
//
// The parser is strict on purpose: field names match exactly (encoding/json
// would accept "Action" for "action"), a key given twice is refused (so a
// proxy and revoke can never read different values), unknown fields,
// trailing data and wrong types are refused, and every error names the
// offending field ("targets[3].email").
package request
