// Package scim revokes access on any SCIM 2.0 service (RFC 7644) by
// replacing the user's "active" attribute with false (restore: true) in a
// PatchOp, and finds users by email with a userName filter.
package scim
