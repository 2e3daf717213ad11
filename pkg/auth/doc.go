// Package auth checks bearer tokens against a token secret — the API's
// (API_TOKENS_SECRET_ID) or the SCIM front door's (SCIM_TOKENS_SECRET_ID),
// both {"tokens": ["<token>", {"name", "token", "scopes"}]} — and says who
// the caller is (a Principal: a name and scopes). One parser serves both;
// names are unique within a secret (duplicates refuse the whole secret).
// Comparison is constant-time over SHA-256 digests against every
// configured token, so neither a token's content nor its length shows in
// the timing; tokens are never kept, logged or returned, only digests and
// names.
package auth
