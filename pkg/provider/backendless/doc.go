// Package backendless revokes access on a Backendless app by setting a
// user's userStatus to DISABLED (restore: ENABLED) with the CloudCode API
// key, one call per user. Backendless may report errors with HTTP 200:
// every response body is read, and error code 999 (request rate
// exhausted) is retried like a 429.
package backendless
