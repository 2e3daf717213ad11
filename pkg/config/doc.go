// Package config reads revoke's configuration from the environment once, at
// a Lambda's init, and validates it (see DESIGN.md §2). Nothing here is a
// secret: credentials live in Secrets Manager and are loaded by pkg/secrets.
package config
