package consumer

import (
	"context"
	"sync"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
)

// work is one (connection, action, dry run, proof) group of items.
type work struct {
	client provider.Client
	action message.Action
	dryRun bool
	verify bool // the connection's secret allows read-back (default true)
	// proof: the items are read-backs of changes already made (proof.go).
	proof bool
	// deferProof: a read-back that cannot be made in this invocation is
	// queued as a proof message (the consumer can send to its queue).
	deferProof bool
	// proofTime: the least time left for read-backs in this invocation.
	proofTime time.Duration
	// changed records at once the items whose change was accepted and
	// whose proof is still to come.
	changed func([]*item)
	// changes is the invocation's change work; a change group marks its
	// part done once its changes are made (phase.go).
	changes *phase
	items   []*item
}

// account is one provider account the group acts on.
type account struct {
	user     provider.User
	known    provider.State // the look-up's view of it, when it carried one
	out      result         // what happened to it
	notFound bool
	// unchanged: the read-back showed the account, not in the asked state.
	unchanged bool
}

var (
	yes = func() *bool { b := true; return &b }()
	no  = func() *bool { b := false; return &b }()
)

func (w *work) run(ctx context.Context) {
	if w.proof {
		w.runProof(ctx)
		return
	}
	var once sync.Once
	changed := func() {
		if !w.dryRun {
			once.Do(w.changes.done)
		}
	}
	defer changed()
	lookups := w.resolve(ctx)
	accts, want := w.plan(lookups)
	if len(accts) > 0 {
		if w.dryRun {
			w.dry(ctx, accts)
		} else {
			w.apply(ctx, accts)
			changed()
			w.prove(ctx, accts, want)
		}
	}
	for i, it := range w.items {
		if want[i] != nil {
			it.res = w.aggregate(it, accts, want[i])
			w.defer1(it, accts, want[i])
		}
	}
}

// resolve looks every distinct email of the group up in one Resolve call.
func (w *work) resolve(ctx context.Context) map[string]provider.Lookup {
	var emails []string
	seen := map[string]bool{}
	for _, it := range w.items {
		if e := it.msg.Email; e != "" && !seen[e] {
			seen[e] = true
			emails = append(emails, e)
		}
	}
	out := make(map[string]provider.Lookup, len(emails))
	if len(emails) == 0 {
		return out
	}
	r, ok := w.client.(provider.Resolver)
	if !ok {
		err := provider.Permanent("look up by email", message.CodeUnsupported, "this provider cannot look users up by email; give user_id")
		for _, e := range emails {
			out[e] = provider.Lookup{Err: err}
		}
		return out
	}
	for i, l := range r.Resolve(ctx, emails) {
		out[emails[i]] = l
	}
	return out
}

// plan settles the items a look-up decided and returns the distinct
// accounts the rest act on, with each item's accounts.
func (w *work) plan(lookups map[string]provider.Lookup) ([]*account, [][]int) {
	var accts []*account
	index := map[provider.User]int{}
	want := make([][]int, len(w.items))
	add := func(i int, u provider.User, known provider.State) {
		j, ok := index[u]
		if !ok {
			j = len(accts)
			index[u] = j
			accts = append(accts, &account{user: u, known: known})
		}
		want[i] = append(want[i], j)
	}
	for i, it := range w.items {
		m := it.msg
		if m.Email == "" {
			add(i, provider.User{ID: m.UserID, Wipe: m.Wipe}, provider.State{})
			continue
		}
		l := lookups[m.Email]
		switch {
		case l.Err != nil:
			it.res = failure(l.Err, 0)
		case len(l.Matches) == 0:
			// A successful search with no match: the one way to learn that
			// a person has no account here.
			it.res = noAccount(m)
		default:
			for _, match := range l.Matches {
				add(i, provider.User{ID: match.ID, Wipe: m.Wipe}, match.State)
			}
			it.res.resolved = l.IDs()
		}
	}
	return accts, want
}

func noAccount(m *message.Message) result {
	if m.Fanout {
		return result{outcome: message.NoAccount}
	}
	return permanent(message.CodeNotFound, "no user with this email at the provider", 0)
}

// apply changes the accounts whose state is not already the asked one.
func (w *work) apply(ctx context.Context, accts []*account) {
	var users []provider.User
	var todo []*account
	for _, a := range accts {
		if a.known.Known && a.known.Matches(w.action) {
			// The search answer showed the account in the asked state.
			a.out = result{outcome: message.Already, verified: yes}
			continue
		}
		users = append(users, a.user)
		todo = append(todo, a)
	}
	if len(users) == 0 {
		return
	}
	for k, r := range provider.Apply(ctx, w.client, w.action, users) {
		a := todo[k]
		switch r.Outcome {
		case provider.Done:
			a.out = result{outcome: message.Done, status: r.Status, httpAttempts: r.Attempts}
		case provider.Already:
			a.out = result{outcome: message.Already, status: r.Status, httpAttempts: r.Attempts}
		case provider.NotFound:
			a.notFound, a.out = true, result{status: r.Status, httpAttempts: r.Attempts}
		default:
			a.out = failure(r.Err, r.Attempts)
		}
	}
}

// readBack reads every account a provider reported changed (or already
// so) once more, where the connection verifies and the provider can show
// state. Only an account seen in the asked state is verified; a provider
// that cannot show state (no Verifier: Mendix) or a connection with
// verify: false leaves verified null and the target done. Anything else is
// unverified (docs/design.md §3): a read that fails transiently, or shows
// another state, is retried until the last delivery; a read the provider
// refuses (401/403) is tried once more after a secret refresh and then
// goes to the DLQ at once, since the same token will be refused on every
// delivery (the sweep re-drives unverified later, after read is granted).
func (w *work) readBack(ctx context.Context, accts []*account) {
	v, ok := w.verifier()
	if !ok {
		return
	}
	var ids []string
	var check []*account
	for _, a := range accts {
		if a.out.awaitsProof() {
			ids = append(ids, a.user.ID)
			check = append(check, a)
		}
	}
	if len(ids) == 0 {
		return
	}
	for k, st := range v.Verify(ctx, ids) {
		a := check[k]
		if st.Err != nil && w.deferProof && !w.proof && ctx.Err() != nil {
			continue // cut off: not read, so proven later by a proof message (defer1)
		}
		keep := a.out
		switch {
		case st.Err == nil && st.Known && st.Matches(w.action):
			a.out.verified = yes
		case st.Err == nil && st.Known:
			a.unchanged = true
			a.out = unverified("the provider reported success but reading the account back shows it is not " + stateWord(w.action))
		case st.Err == nil:
			a.out = unverified("the change was reported but the read-back does not show the account's state")
		case provider.IsAuth(st.Err):
			a.out = unverified(readRefused + " (" + provider.As(st.Err).Error() + ")")
			a.out.outcome, a.out.auth = message.Failed, true
		case provider.As(st.Err).Retryable():
			a.out = unverified("the change was reported but reading it back failed: " + provider.As(st.Err).Error())
		default:
			a.out = unverified("the change was reported but reading it back failed: " + provider.As(st.Err).Error())
			a.out.outcome = message.Failed
		}
		a.out.shown, a.out.refused = shownEmail(st.Shown)
		if a.out.verified == nil {
			a.out.httpAttempts, a.out.status = keep.httpAttempts, keep.status
		}
	}
}

// readRefused is the reason of a read-back the provider refused.
const readRefused = "the token cannot read accounts: grant read, or set verify: false"

func stateWord(a message.Action) string {
	if a == message.Restore {
		return "enabled"
	}
	return "disabled"
}

// dry reads state instead of changing it: already, would_*, or not found.
func (w *work) dry(ctx context.Context, accts []*account) {
	var ids []string
	var read []*account
	for _, a := range accts {
		if !a.known.Known {
			ids = append(ids, a.user.ID)
			read = append(read, a)
		}
	}
	if v, ok := w.client.(provider.Verifier); ok && len(ids) > 0 {
		for k, st := range v.Verify(ctx, ids) {
			read[k].known = st
		}
	}
	for _, a := range accts {
		st := a.known
		switch {
		case st.Err != nil:
			a.out = failure(st.Err, 0)
		case st.Known && !st.Exists:
			a.notFound = true
		case st.Known && st.Matches(w.action):
			a.out = result{outcome: message.Already, verified: yes}
		default:
			a.out = result{outcome: message.Would(w.action)}
		}
		a.out.shown, a.out.refused = shownEmail(st.Shown)
	}
}

// aggregate folds an item's accounts: a retryable failure wins (the whole
// item is retried), then a permanent one, then "not found"; the item is
// already only when every account was, and verified only when every
// account was seen.
func (w *work) aggregate(it *item, accts []*account, idx []int) result {
	var perm, retry *result
	notFound, already, would := false, true, false
	attempts, status := 0, 0
	verified := yes
	for _, j := range idx {
		a := accts[j]
		attempts = max(attempts, a.out.httpAttempts)
		if status == 0 {
			status = a.out.status
		}
		switch {
		case a.out.outcome == message.Retrying:
			if retry == nil {
				retry = &a.out
			}
		case a.out.outcome == message.Failed:
			if perm == nil {
				perm = &a.out
			}
		case a.notFound:
			notFound = true
		case a.out.outcome == message.Done:
			already = false
		case a.out.outcome == message.WouldRevoke || a.out.outcome == message.WouldRestore:
			would, already = true, false
		}
		switch {
		case a.out.verified == nil && verified != no:
			verified = nil
		case a.out.verified != nil && !*a.out.verified:
			verified = no
		}
	}
	var r result
	switch {
	case retry != nil:
		r = *retry
	case perm != nil:
		r = *perm
	case notFound && it.msg.Fanout:
		r = result{outcome: message.NoAccount}
	case notFound:
		r = permanent(message.CodeNotFound, "no such user at the provider", status)
	case would:
		r = result{outcome: message.Would(w.action)}
	case already:
		r = result{outcome: message.Already, verified: verified}
	default:
		r = result{outcome: message.Done, verified: verified}
	}
	r.httpAttempts = max(r.httpAttempts, attempts)
	if r.status == 0 {
		r.status = status
	}
	r.resolved = it.res.resolved
	if it.msg.UserID != "" && len(idx) == 1 {
		r.shown, r.refused = accts[idx[0]].out.shown, accts[idx[0]].out.refused
	}
	return r
}
