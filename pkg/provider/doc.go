// Package provider is the contract between revoke and the platforms it
// revokes access on: one small interface to revoke or restore a batch of
// users on one connection (Client), optional ones to look users up by
// email (Resolver) and list them for the sweep (Lister), and the one error
// classification every client, the consumer and the sweep share (Error).
//
// Implementations live in sub-packages (journeyapps, backendless, mendix,
// scim), speak HTTP only through package rest, and know nothing of AWS.
package provider
