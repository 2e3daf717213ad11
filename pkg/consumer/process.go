package consumer

import (
	"context"
	"errors"
	"time"

	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/connector"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/ratelimit"
	"github.com/revoke-dev/revoke/pkg/secrets"
)

// processConnection settles every item of one connection: build the
// client, resolve emails, apply, and on 401/403 refresh the secret once and
// try those items again.
func (c *Consumer) processConnection(ctx context.Context, name string, items []*item) {
	cn, _ := c.Config.Connection(name)
	client, err := c.client(ctx, cn, false)
	if err != nil {
		settleAll(items, secretFailure(err))
		return
	}
	c.apply(ctx, client, items)
	var again []*item
	for _, it := range items {
		if it.res.auth {
			again = append(again, it)
		}
	}
	if len(again) == 0 {
		return
	}
	c.Log.Warn("provider refused the credential; refreshing the secret once", "connection", name, "provider", cn.Provider, "targets", len(again))
	if client, err = c.client(ctx, cn, true); err != nil {
		settleAll(again, secretFailure(err))
		return
	}
	c.apply(ctx, client, again)
	for _, it := range again {
		it.res.auth = false // a second refusal is final (already a DLQ outcome)
	}
}

func settleAll(items []*item, r result) {
	for _, it := range items {
		it.res = r
	}
}

// secretFailure: a missing or unusable secret is permanent; a Secrets
// Manager outage is not.
func secretFailure(err error) result {
	if errors.Is(err, secrets.ErrNotFound) || errors.Is(err, rest.ErrSecret) || errors.Is(err, rest.ErrInsecureURL) {
		return permanent(provider.CodeConfig, err.Error(), 0)
	}
	var pe *provider.Error
	if errors.As(err, &pe) && !pe.Retryable() {
		return permanent(pe.Code, pe.Error(), 0)
	}
	return result{outcome: audit.OutcomeRetry, code: provider.CodeUnavailable, errMsg: "reading the connection secret failed"}
}

// client returns the connection's client, rebuilt when its secret changed.
func (c *Consumer) client(ctx context.Context, cn config.Connection, refresh bool) (provider.Client, error) {
	id := c.Config.SecretID(cn.Name)
	var raw string
	var err error
	if refresh {
		minAge := c.RefreshMinAge
		if minAge == 0 {
			minAge = 5 * time.Second
		}
		raw, err = c.Secrets.Refresh(ctx, id, minAge)
	} else {
		raw, err = c.Secrets.Get(ctx, id)
	}
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	st, ok := c.conns[cn.Name]
	if !ok {
		st = &conn{limiter: ratelimit.New(1, 1)}
		c.conns[cn.Name] = st
	}
	c.mu.Unlock()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.client != nil && st.secret == raw {
		return st.client, nil
	}
	cl, err := connector.New(cn.Provider, []byte(raw), rest.Options{
		HTTP: c.HTTP, AllowInsecureHTTP: c.Config.AllowInsecureHTTP, Limiter: st.limiter,
		Instances: c.Config.MaxConcurrency, Observe: c.observe(cn.Provider),
	})
	if err != nil {
		return nil, err
	}
	st.client, st.secret = cl, raw
	return cl, nil
}

func (c *Consumer) observe(prov string) func(rest.Observation) {
	return func(o rest.Observation) { c.metrics.Latency(prov, o.Duration) }
}

// apply runs revokes and restores for items of one connection.
func (c *Consumer) apply(ctx context.Context, client provider.Client, items []*item) {
	byAction := map[string][]*item{}
	for _, it := range items {
		byAction[it.msg.Action] = append(byAction[it.msg.Action], it)
	}
	for action, its := range byAction {
		c.applyAction(ctx, client, action, its)
	}
}

type userKey struct {
	id   string
	wipe bool
}

func (c *Consumer) applyAction(ctx context.Context, client provider.Client, action string, items []*item) {
	lookups := c.resolve(ctx, client, items)
	var users []provider.User
	index := map[userKey]int{}
	want := make([][]int, len(items)) // item → its users
	for i, it := range items {
		ids := []string{it.msg.UserID}
		if it.msg.Email != "" {
			l := lookups[it.msg.Email]
			switch {
			case l.Err != nil:
				it.res = failure(l.Err, 0)
				continue
			case len(l.IDs) == 0:
				it.res = noAccount(it.msg)
				continue
			}
			ids = l.IDs
		}
		for _, id := range ids {
			k := userKey{id, it.msg.Wipe}
			j, ok := index[k]
			if !ok {
				j = len(users)
				index[k] = j
				users = append(users, provider.User{ID: id, Wipe: it.msg.Wipe})
			}
			want[i] = append(want[i], j)
		}
	}
	if len(users) == 0 {
		return
	}
	results := client.Apply(ctx, action, users)
	for i, it := range items {
		if len(want[i]) > 0 {
			it.res = aggregate(it.msg, results, want[i])
		}
	}
}

// resolve looks every distinct email of the items up in one Resolve call.
func (c *Consumer) resolve(ctx context.Context, client provider.Client, items []*item) map[string]provider.Lookup {
	var emails []string
	seen := map[string]bool{}
	for _, it := range items {
		if e := it.msg.Email; e != "" && !seen[e] {
			seen[e] = true
			emails = append(emails, e)
		}
	}
	out := make(map[string]provider.Lookup, len(emails))
	if len(emails) == 0 {
		return out
	}
	r, ok := client.(provider.Resolver)
	if !ok {
		err := provider.Permanent("look up by email", provider.CodeUnsupported, "this provider cannot look users up by email; give user_id")
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

func noAccount(m *message.Message) result {
	if m.Fanout {
		return result{outcome: audit.OutcomeNoAccount}
	}
	return permanent(provider.CodeNotFound, "no user with this email at the provider", 0)
}

// aggregate folds the results of an item's users: a retryable failure
// wins (retry the whole item), then a permanent one, then not found.
func aggregate(m *message.Message, results []provider.Result, idx []int) result {
	var perm, notFound *result
	attempts := 0
	already := true
	for _, j := range idx {
		r := results[j]
		attempts = max(attempts, r.Attempts)
		switch r.Outcome {
		case provider.Failed:
			f := failure(r.Err, r.Attempts)
			if f.outcome == audit.OutcomeRetry {
				return f
			}
			if perm == nil {
				perm = &f
			}
		case provider.NotFound:
			if notFound == nil {
				nf := permanent(provider.CodeNotFound, "no such user at the provider", r.Status)
				if m.Email != "" && m.Fanout {
					nf = result{outcome: audit.OutcomeNoAccount, status: r.Status}
				}
				notFound = &nf
			}
		case provider.Done:
			already = false
		}
	}
	switch {
	case perm != nil:
		return *perm
	case notFound != nil:
		notFound.httpAttempts = attempts
		return *notFound
	case already:
		return result{outcome: audit.OutcomeAlready, httpAttempts: attempts}
	}
	return result{outcome: audit.OutcomeDone, httpAttempts: attempts, status: results[idx[0]].Status}
}
