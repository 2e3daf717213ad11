// Package e2e holds the end-to-end tests of the built functions: every
// `bootstrap` is compiled as Lambda runs it (-tags lambda.norpc, stripped)
// for this machine and driven through the local Runtime API with every
// sample event in events/, against moto and the provider simulators.
package e2e
