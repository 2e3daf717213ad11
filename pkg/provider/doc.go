// Package provider is the contract between revoke and the platforms it
// revokes access on: one small interface every client implements
// (Client: revoke a batch of users), optional ones found by type assertion
// (Restorer, Resolver to look users up by email, Verifier to read their
// state back, Lister to list them for the sweep), and the one error
// classification the clients, the consumer and the sweep share (Error).
//
// Implementations live in sub-packages (journeyapps, backendless, mendix,
// scim), speak HTTP only through package rest, and know nothing of AWS;
// package registry is the one table of them.
package provider
