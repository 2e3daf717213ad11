package message

// Action is what a request asks for a target: the one typed action of the
// message, the ledger and the provider clients.
type Action string

// Actions.
const (
	Revoke  Action = "revoke"
	Restore Action = "restore"
)

// Valid reports whether a is an action revoke knows.
func (a Action) Valid() bool { return a == Revoke || a == Restore }

// Source is where a request came from (the status API's "source").
type Source string

// Sources (docs/design.md §1).
const (
	SourceAPI            Source = "api"
	SourceOkta           Source = "okta" // event hook and log stream alike
	SourceAuth0          Source = "auth0"
	SourceIdentityCenter Source = "identity-center"
	SourceCognito        Source = "cognito"
	SourceSCIM           Source = "scim"
	SourceSweep          Source = "sweep"
	SourceDrift          Source = "drift"   // a re-revocation of an account seen active again (on_drift: revoke)
	SourceOrphans        Source = "orphans" // an operator's revocation of a connection's orphaned accounts
)

// Valid reports whether s is a source revoke knows.
func (s Source) Valid() bool {
	switch s {
	case SourceAPI, SourceOkta, SourceAuth0, SourceIdentityCenter, SourceCognito, SourceSCIM, SourceSweep, SourceDrift, SourceOrphans:
		return true
	}
	return false
}

// Outcome is what happened to one target, as the audit line, the ledger
// and the status API name it.
type Outcome string

// Outcomes (docs/design.md §1). Done, Already and NoAccount say access is gone
// (or, for a restore, back): they are written only when a provider said so.
const (
	Pending      Outcome = "pending"       // recorded, not yet settled
	Changed      Outcome = "changed"       // the provider accepted the change; its read-back is still to come
	Done         Outcome = "done"          // changed and seen so (or the connection cannot be read)
	Already      Outcome = "already"       // was already in the asked state
	NoAccount    Outcome = "no_account"    // "*" fan-out: a successful search found no account
	Retrying     Outcome = "retrying"      // reported to SQS as a batch item failure
	Failed       Outcome = "failed"        // in the DLQ, with an error code
	WouldRevoke  Outcome = "would_revoke"  // dry run
	WouldRestore Outcome = "would_restore" // dry run
	Drift        Outcome = "drift"         // an account revoke revoked was later seen active again
)

// Final reports whether o settles a target (everything but pending,
// retrying and changed: a changed target still awaits its proof).
func (o Outcome) Final() bool { return o != Pending && o != Retrying && o != Changed && o != "" }

// Succeeded reports whether o is a final outcome that is not a failure.
func (o Outcome) Succeeded() bool { return o.Final() && o != Failed }

// Would is the dry-run outcome of an action.
func Would(a Action) Outcome {
	if a == Restore {
		return WouldRestore
	}
	return WouldRevoke
}
