// Package connector builds a provider client from a connection's provider
// kind and its secret: the one place that knows every provider package.
package connector

import (
	"fmt"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/backendless"
	"github.com/revoke-dev/revoke/pkg/provider/journeyapps"
	"github.com/revoke-dev/revoke/pkg/provider/mendix"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/provider/scim"
)

// New parses secret for a provider kind and returns its client. Errors
// wrap rest.ErrSecret (a permanent configuration problem) and never quote
// the secret.
func New(kind string, secret []byte, o rest.Options) (provider.Client, error) {
	switch kind {
	case config.JourneyApps:
		return journeyapps.New(secret, o)
	case config.Backendless:
		return backendless.New(secret, o)
	case config.Mendix:
		return mendix.New(secret, o)
	case config.SCIM:
		return scim.New(secret, o)
	}
	return nil, fmt.Errorf("connector: unknown provider %q: %w", kind, rest.ErrSecret)
}

// CanList reports whether a provider kind has a user listing API (the
// sweep's inactive-account search), without needing its secret.
func CanList(kind string) bool {
	return kind == config.JourneyApps || kind == config.Backendless
}
