// Package ledger records every request and every target's fate (docs/design.md
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
//
// # What the table keeps
//
// One table holds these kinds of record, each in its own file and under
// its own key prefix. The table has two secondary indexes: G1 (DynamoDB
// index IndexByIdentity) finds items by an outside identifier (a person's
// email, a SCIM externalId), G2 (IndexByTime) lists items in time order
// (unqueued requests, SCIM users).
//
//   - Requests (requests.go, ledger.go, fold.go, history.go): a request's
//     item (REQ#<id>, "#"), one item per target (T#<key>) and one per
//     delivery attempt (T#<key>#A#…), all in the request's partition and
//     read together by Load or a page at a time. Each target's attempts
//     are a hash chain with a head item (T#<key>#A!), appended only, so
//     an export can be verified (chain.go, verify.go). Targets and attempts that
//     name a person by email are also under EMAIL#<address> in G1, newest
//     first: a person's history (History); an address a provider merely
//     showed is kept as shown and never indexed. A request not yet fully
//     queued is under UNQUEUED in G2, oldest first, for the sweep's
//     backstop (Unqueued).
//     Request records expire after the retention (LEDGER_RETENTION_DAYS).
//   - Idempotency and event keys (keys.go): KEY#<key>, claimed once with a
//     conditional write (ClaimKey) so a repeated Idempotency-Key or a
//     redelivered identity event makes no second request; kept for KeyTTL.
//   - SCIM users (scimusers.go): the users an identity provider
//     provisioned through the SCIM front door (SCIMU#<id>), with
//     uniqueness items per userName (SCIMN#) and index items per email
//     (SCIME#); externalId (G1) and the listing (G2, per owning SCIM
//     token) are secondary-index keys of the user item. They never expire:
//     the identity provider deletes them. A listing leaves short-lived
//     bookmarks (SCIMP#<owner>) so each page reads only its own users.
//   - Directory snapshots (directory.go): DIR#<directory>, U#<user id>,
//     what the sweep last listed of a followed directory, so the trigger
//     can name a person whose account the directory already deleted;
//     each expires SnapshotTTL after its last refresh.
//   - Unresolved people (unresolved.go): UNRESOLVED, identity events that
//     named someone revoke could not map to an email, newest first, for an
//     operator to follow up; they expire with the retention.
//   - Drift and orphans (docs/design.md §5): account marks (marks.go: the
//     attempt that settled a revoke or restore, under MARK#<connection> in
//     G2 by user id and time), drift records (drift.go, DRIFT, with
//     a drift attempt on the revocation's target), orphan listings
//     (listing.go, LISTING#<connection> versioned state and
//     LISTED#<connection>#<listing id> accounts), orphan reports
//     (orphans.go, ORPHANS#<connection>), exceptions (exceptions.go,
//     EXCEPT#<connection>), a directory's last complete snapshot
//     (directory.go, DIR#<directory> "#") and the owner-agnostic SCIM
//     roster (dirscan.go, SCIMROSTER) the comparison reads.
//
// Ledger (ledger.go) is the one entry point for all of them; Store
// (store.go) and Dynamo (dynamo.go) are the table underneath. Which
// methods write which kinds, the rule each function's IAM role follows,
// is Writes (kinds.go).
package ledger
