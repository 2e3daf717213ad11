package ledger

import (
	"context"
	"encoding/json"
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
		pr, err := l.personRequest(ctx, id, targets[id])
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

// personRequest reads one request with the targets at sort keys sks only
// (each with its attempts: one query a target), not the whole request.
func (l *Ledger) personRequest(ctx context.Context, id string, sks []string) (*PersonRequest, error) {
	meta, err := l.Store.Get(ctx, Key{PK: requestPK(id), SK: skMeta})
	if err != nil {
		return nil, fmt.Errorf("ledger: history: %w", err)
	}
	pr := &PersonRequest{}
	if meta == nil || json.Unmarshal(meta.Data, &pr.Request) != nil {
		return nil, nil
	}
	for _, sk := range sks {
		items, err := queryAll(ctx, l.Store, Query{PK: requestPK(id), Prefix: sk}, 0)
		if err != nil {
			return nil, fmt.Errorf("ledger: history: %w", err)
		}
		var target *Target
		var attempts []Attempt
		for _, it := range items {
			switch t, a := decodeTargetItem(it); {
			case t != nil && it.SK == sk:
				target = t
			case a != nil && skTarget+a.Key == sk:
				attempts = append(attempts, *a)
			}
		}
		if target != nil {
			pr.Targets = append(pr.Targets, Fold(*target, attempts, pr.Request.RequestedAt))
		}
	}
	sort.Slice(pr.Targets, func(i, j int) bool { return pr.Targets[i].Key < pr.Targets[j].Key })
	pr.Status, _ = Summarize(pr.Targets)
	return pr, nil
}
