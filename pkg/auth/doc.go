// Package auth checks the API's bearer tokens against the secret named by
// API_TOKENS_SECRET_ID ({"tokens": ["…", "…"]}, several so tokens can
// rotate). Comparison is constant-time over SHA-256 digests, so neither a
// token's content nor its length shows in the timing, and every configured
// token is compared on every request.
package auth
