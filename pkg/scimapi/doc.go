// Package scimapi is revoke's SCIM 2.0 front door (RFC 7643/7644,
// docs/design.md §1a): identity providers (Entra ID, Okta, OneLogin,
// JumpCloud…) provision their users into revoke at /scim/v2, and when one
// deactivates, suspends, unassigns or deletes someone, revoke fans a
// revocation out to every connected platform through the one request path.
//
// Users live in the ledger. The IdPs' dialects are accepted: Entra's
// "Replace" with "False" as a string, Okta's path-less PATCH, PUT with the
// full resource, filters on userName, externalId, emails.value and id.
//
// Trust: each user belongs to the SCIM token (by name) that created it, and
// no other token sees it; scim:read reads, scim:write changes. A change is
// checked (uniqueness) before it acts, and keyed by what it acts on. A
// re-activation restores only what that user's own deactivation revoked,
// found through the ledger (transition.go). Addresses outside
// ALLOWED_EMAIL_DOMAINS are never acted on.
package scimapi
