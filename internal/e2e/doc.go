// Package e2e holds the end-to-end tests of the built functions: every
// `bootstrap` is compiled as Lambda runs it (-tags lambda.norpc, stripped)
// for this machine and driven through the local Runtime API with every
// sample event in events/, against moto and the provider simulators: a
// private moto server with IAM enforcement on, each function signing as an
// IAM user that holds exactly its role's statements from the transformed
// template (scripts/preflight --resolve). The template tests and the
// preflight's own tests live here too.
package e2e
