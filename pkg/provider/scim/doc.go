// Package scim revokes access on a SCIM 2.0 service (RFC 7644): PATCH
// /Users/{id} replacing active (the path form, or the no-path form for
// servers that refuse it), look-up with a configurable filter
// (userName eq "{email}" by default) that acts only on resources whose
// userName or emails equal the address, and read-back with GET
// /Users/{id}.
//
// A look-up pages with startIndex and count (LookupPageSize) until
// totalResults are seen, however small the pages the server chooses. A
// filter that matches more than MaxLookupResults users, or needs more than
// MaxLookupPages requests, fails as config (check user_filter); a server
// that repeats a page or stops short of its totalResults fails too. A
// look-up never answers "no account" from part of a list.
package scim
