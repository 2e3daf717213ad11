// Package api is the API function's handler: API Gateway HTTP API (payload
// v2) requests in, JSON responses out (docs/design.md §1). It authenticates,
// validates and enqueues — one queue message per target — and never calls a
// provider, so it answers within Okta's 3 s and its IAM role stays small.
package api
