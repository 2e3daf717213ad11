// Package ratelimit is revoke's one rate budget per connection: a token
// bucket whose rate is that connection's share of the provider's budget,
// shared by every call to the provider, handed out in priority order
// (Change before Proof before Background, see Priority), and paused for a
// server's Retry-After so a 429 storm cannot build up across callers.
//
// A connection that declares rate_per_second keeps that rate as its
// ceiling: a 429 halves the rate and successes raise it back (AIMD). A
// connection that declares none discovers its provider's sustainable rate
// (Discover): slow start until the first 429, then the accepted rate of
// the last second, then a slow probe upwards; rate-limit headers, where a
// provider sends them, set it at once. The limiter lives as long as the
// warm process, so what was learned carries across invocations.
package ratelimit
