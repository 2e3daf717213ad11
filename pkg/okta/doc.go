// Package okta parses Okta event hook deliveries (LogEvents in
// data.events[]) and picks the users to revoke: every target of type User
// of an event whose eventType is configured, by alternateId as email.
package okta
