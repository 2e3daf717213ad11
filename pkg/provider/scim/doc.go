// Package scim revokes access on a SCIM 2.0 service (RFC 7644): PATCH
// /Users/{id} replacing active (the path form, or the no-path form for
// servers that refuse it), look-up with a configurable filter
// (userName eq "{email}" by default) that acts only on resources whose
// userName or emails equal the address, and read-back with GET
// /Users/{id}.
package scim
