package e2e

import (
	"slices"
	"testing"
)

// TestKeyedSubmitReadsAllowed: a function that submits with a key reads
// the request back when the key is already claimed (pkg/submit's resume:
// ledger.LoadUnqueued, a Query of the request's partition on the table
// itself, not an index). The consumer does so for an on_drift: revoke
// re-revocation redelivered, or checked twice in one sweep run: without
// the grant AWS refuses it (moto does not), and the re-revocation is
// retried until the DLQ, the drift never recorded.
func TestKeyedSubmitReadsAllowed(t *testing.T) {
	tpl := resolveTemplate(t, directoryParams...)
	table := tpl.physical(t, "LedgerTable", "Arn")
	for _, fn := range []string{"api", "consumer", "trigger"} {
		t.Run(fn, func(t *testing.T) {
			if !allowsOn(tpl.rolePolicy(t, functions[fn]), "dynamodb:Query", table, "REQ#0f5a3d2c-6b7e-4c1a-9d2e-3f4a5b6c7d8e") {
				t.Errorf("%s's role does not allow dynamodb:Query on the ledger table for a REQ# partition (submit's resume)", fn)
			}
		})
	}
}

// allowsOn reports whether an Allow statement grants action on resource
// (exactly, or by a * pattern) for an item of partition key pk.
func allowsOn(stmts []statement, action, resource, pk string) bool {
	for _, s := range stmts {
		if s.Effect != "Allow" || !slices.Contains(strs(s.Action), action) {
			continue
		}
		onIt := false
		for _, r := range strs(s.Resource) {
			onIt = onIt || globMatch(r, resource)
		}
		if onIt && slices.ContainsFunc(leadingKeys(s), func(p string) bool { return globMatch(p, pk) }) {
			return true
		}
	}
	return false
}
