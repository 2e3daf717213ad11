// Package rest is the one HTTP client every provider uses. Written once:
// https-only base URLs (http only when explicitly allowed), path segments
// escaped and never "." or "..", per-connection rate limiting, per-attempt
// timeouts, bounded retries with jittered back-off honouring Retry-After,
// response bodies read with a size cap, no redirects followed, and errors
// classified (provider.Error) with every credential redacted and no URL in
// the text.
package rest
