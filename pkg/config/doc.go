// Package config reads revoke's configuration from the environment once, at
// a Lambda's init, and validates it (see docs/design.md §2). Nothing here is a
// secret: credentials live in Secrets Manager and are loaded by pkg/secrets.
//
// config is a leaf: it imports no provider package. A connection is a name
// and a provider name; what a provider is and can do is the provider
// registry's to say (registry.Check at init, registry.Can and pkg/clients
// where a capability or a client is needed).
package config
