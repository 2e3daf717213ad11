// Package ratelimit is revoke's one rate limiter: a token bucket
// (golang.org/x/time/rate) per connection whose rate is that connection's
// share of the provider's budget, lowered multiplicatively on every 429 and
// raised additively on success (AIMD), and paused for a server's
// Retry-After, so a 429 storm cannot build up across concurrent callers.
package ratelimit
