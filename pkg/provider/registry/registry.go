// Package registry is the one table of provider kinds: each kind's name,
// constructor and capabilities. Every function's init checks CONNECTIONS
// against it (Check); request validation, the client builder of the
// consumer and the sweep (pkg/clients), the simulators, the demo and the
// benchmarks all read it, so adding a provider is its package, one entry
// here and its simulator.
//
// Restore, resolve, verify, list and enumerate are not declared: they are discovered
// from the client type's interfaces (provider.Restorer, Resolver,
// Verifier, Lister), the way a connector builder discovers a connector's
// abilities.
package registry

import (
	"fmt"
	"slices"
	"strings"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/backendless"
	"github.com/revoke-dev/revoke/pkg/provider/journeyapps"
	"github.com/revoke-dev/revoke/pkg/provider/mendix"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/provider/scim"
)

// Capability is something a provider kind can do besides revoking.
type Capability string

// Capabilities.
const (
	Restore Capability = "restore" // give access back (provider.Restorer)
	Resolve Capability = "resolve" // look users up by email (provider.Resolver)
	Verify  Capability = "verify"  // read an account's state back (provider.Verifier)
	List    Capability = "list"    // list users for the inactive sweep (provider.Lister)
	// Enumerate lists every account with its email, page by page, for the
	// orphan listing (provider.Enumerator).
	Enumerate Capability = "enumerate"
	Wipe      Capability = "wipe"  // revoke takes a wipe flag
	Where     Capability = "where" // listing takes a provider-side where filter
)

// Kind is one provider kind.
type Kind struct {
	Name string
	// New parses a connection secret and builds a client. Its errors are
	// classified *provider.Error values (config) that never quote the secret.
	New  func(secret []byte, o rest.Options) (provider.Client, error)
	caps []Capability
}

// Can reports whether the kind has a capability.
func (k Kind) Can(c Capability) bool { return slices.Contains(k.caps, c) }

// Capabilities lists what the kind can do besides revoking.
func (k Kind) Capabilities() []Capability { return slices.Clone(k.caps) }

// Define makes a Kind from a client constructor: the client type's
// interfaces give restore, resolve, verify and list; flags adds the
// capabilities a type cannot show (wipe, where).
func Define[C provider.Client](name string, newClient func([]byte, rest.Options) (C, error), flags ...Capability) Kind {
	var zero C // a typed nil: its method set is the client's
	var caps []Capability
	if _, ok := any(zero).(provider.Restorer); ok {
		caps = append(caps, Restore)
	}
	if _, ok := any(zero).(provider.Resolver); ok {
		caps = append(caps, Resolve)
	}
	if _, ok := any(zero).(provider.Verifier); ok {
		caps = append(caps, Verify)
	}
	if _, ok := any(zero).(provider.Lister); ok {
		caps = append(caps, List)
	}
	if _, ok := any(zero).(provider.Enumerator); ok {
		caps = append(caps, Enumerate)
	}
	return Kind{
		Name: name,
		New: func(secret []byte, o rest.Options) (provider.Client, error) {
			c, err := newClient(secret, o)
			if err != nil {
				return nil, err
			}
			return c, nil
		},
		caps: append(caps, flags...),
	}
}

// Registry is a set of provider kinds by name.
type Registry struct {
	kinds []Kind
}

// New returns a registry of kinds (later ones with a name already present
// replace it).
func New(kinds ...Kind) *Registry {
	r := &Registry{}
	for _, k := range kinds {
		if i := slices.IndexFunc(r.kinds, func(x Kind) bool { return x.Name == k.Name }); i >= 0 {
			r.kinds[i] = k
			continue
		}
		r.kinds = append(r.kinds, k)
	}
	return r
}

// Builtin is the registry of the providers revoke ships with.
func Builtin() *Registry {
	return New(
		Define(journeyapps.Name, journeyapps.New, Wipe),
		Define(backendless.Name, backendless.New, Where),
		Define(mendix.Name, mendix.New),
		Define(scim.Name, scim.New),
	)
}

// With returns a copy of r with more kinds (a test's own provider).
func (r *Registry) With(kinds ...Kind) *Registry {
	return New(append(slices.Clone(r.kinds), kinds...)...)
}

// Kind returns the kind called name.
func (r *Registry) Kind(name string) (Kind, bool) {
	for _, k := range r.kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// Can reports whether the provider called name exists and has a
// capability.
func (r *Registry) Can(name string, c Capability) bool {
	k, ok := r.Kind(name)
	return ok && k.Can(c)
}

// Check fails unless every connection's provider is a kind of r: every
// function's init runs it on CONNECTIONS, so a misspelt provider stops
// the function before it serves anything.
func (r *Registry) Check(conns []config.Connection) error {
	for _, c := range conns {
		if _, ok := r.Kind(c.Provider); !ok {
			return fmt.Errorf("config: CONNECTIONS: %s: unknown provider %q (want one of %s)", c.Name, c.Provider, strings.Join(r.Names(), ", "))
		}
	}
	return nil
}

// Names lists the kinds' names, in registration order.
func (r *Registry) Names() []string {
	out := make([]string, len(r.kinds))
	for i, k := range r.kinds {
		out[i] = k.Name
	}
	return out
}
