package ledger

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
)

// PersonRequest is one request in a person's history, with that person's
// targets only.
type PersonRequest struct {
	Request Request
	Status  string
	Targets []TargetStatus
}

// History returns the requests that named email (an email target, a "*"
// fan-out, an event, a listing's address), newest first, at most
// limit; next continues after the last one ("" at the end).
// A cursor it did not issue is ErrCursor.
func (l *Ledger) History(ctx context.Context, email, cursor string, limit int) (out []PersonRequest, next string, err error) {
	if cursor != "" && !historyCursor(cursor) {
		return nil, "", ErrCursor
	}
	email = message.NormalEmail(email)
	q := Query{Index: G1, PK: gEmail + email, Desc: true, Below: cursor}
	var ids []string
	order := map[string]string{}     // request id → its index sort key
	targets := map[string][]string{} // request id → the person's target sort keys
	for len(ids) <= limit {
		p, err := l.Store.Query(ctx, q)
		if err != nil {
			return nil, "", fmt.Errorf("ledger: history: %w", err)
		}
		for _, it := range p.Items {
			if !strings.HasPrefix(it.PK, pkRequest) || !strings.HasPrefix(it.SK, skTarget) || strings.Contains(it.SK, "#A#") {
				continue // only a request's own target items name a person
			}
			id := it.PK[len(pkRequest):]
			if _, seen := order[id]; !seen {
				order[id] = it.G1SK
				ids = append(ids, id)
			}
			if len(targets[id]) < maxPersonTargets {
				targets[id] = append(targets[id], it.SK)
			}
		}
		if p.Next == "" {
			break
		}
		q.Cursor = p.Next
	}
	if len(ids) > limit {
		ids = ids[:limit]
		next = order[ids[limit-1]]
	}
	for _, id := range ids {
		pr, err := l.personRequest(ctx, id, email, targets[id])
		if err != nil {
			return nil, "", err
		}
		if pr != nil {
			out = append(out, *pr)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return order[out[i].Request.ID] > order[out[j].Request.ID] })
	return out, next, nil
}

// maxPersonTargets bounds one person's targets read from one request (one
// a connection, and a few user ids a listing named).
const maxPersonTargets = 200

// historyCursor reports whether s is a position History issues: the
// email index's sort key, "<time>#<request id>".
func historyCursor(s string) bool {
	ts, id, ok := strings.Cut(s, "#")
	if !ok || !message.IsID(id) {
		return false
	}
	_, err := time.Parse(sortTime, ts)
	return err == nil
}

// personRequest reads one request with the person's targets only: those
// at sort keys sks, each with its attempts. The targets named by the
// person's email (one a connection) share one key prefix and are read in
// one query; a user_id target a listing named them on takes its own.
func (l *Ledger) personRequest(ctx context.Context, id, email string, sks []string) (*PersonRequest, error) {
	pr := &PersonRequest{}
	found, _, err := l.getJSON(ctx, Key{PK: requestPK(id), SK: skMeta}, &pr.Request)
	if err != nil && !found {
		return nil, fmt.Errorf("ledger: history: %w", err)
	}
	if !found || err != nil {
		return nil, nil
	}
	want := map[string]bool{}
	byEmail := skTarget + message.Target{Email: email}.Key() // "T#e:<email>#"
	prefixes := []string{}
	for _, sk := range sks {
		want[sk] = true
		if !strings.HasPrefix(sk, byEmail) {
			prefixes = append(prefixes, sk)
		} else if len(prefixes) == 0 || prefixes[0] != byEmail {
			prefixes = append([]string{byEmail}, prefixes...)
		}
	}
	targets := map[string]Target{}
	attempts := map[string][]Attempt{}
	for _, prefix := range prefixes {
		items, err := queryAll(ctx, l.Store, Query{PK: requestPK(id), Prefix: prefix}, 0)
		if err != nil {
			return nil, fmt.Errorf("ledger: history: %w", err)
		}
		for _, it := range items {
			switch t, a := decodeTargetItem(it); {
			case t != nil && want[it.SK]:
				targets[t.Key] = *t
			case a != nil && want[skTarget+a.Key]:
				attempts[a.Key] = append(attempts[a.Key], *a)
			}
		}
	}
	for key, t := range targets {
		pr.Targets = append(pr.Targets, Fold(t, attempts[key], pr.Request.RequestedAt))
	}
	sort.Slice(pr.Targets, func(i, j int) bool { return pr.Targets[i].Key < pr.Targets[j].Key })
	pr.Status, _ = Summarize(pr.Targets)
	return pr, nil
}
