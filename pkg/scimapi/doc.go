// Package scimapi is revoke's SCIM 2.0 front door (RFC 7643/7644,
// DESIGN.md §1a): identity providers (Entra ID, Okta, OneLogin,
// JumpCloud…) provision their users into revoke at /scim/v2, and when one
// deactivates, suspends, unassigns or deletes someone, revoke fans a
// revocation out to every connected platform through the one request path.
//
// Users live in the ledger. The IdPs' dialects are accepted: Entra's
// "Replace" with "False" as a string, Okta's path-less PATCH, PUT with the
// full resource, filters on userName, externalId, emails.value and id.
package scimapi
