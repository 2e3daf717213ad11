package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound means the ledger has no such record.
var ErrNotFound = errors.New("ledger: not found")

// CreateRequest records a request and its expanded targets, before any is
// queued. Writing it again (a repeat) is harmless: the items are the same.
func (l *Ledger) CreateRequest(ctx context.Context, r Request, targets []Target) error {
	r.Targets = len(targets)
	items := make([]Item, 0, len(targets)+1)
	for _, t := range targets {
		items = append(items, l.targetItem(r, t))
	}
	// The request item goes last: a reader that sees it sees its targets.
	items = append(items, l.metaItem(r))
	if err := l.Store.BatchPut(ctx, items[:len(items)-1]); err != nil {
		return fmt.Errorf("ledger: record request: %w", err)
	}
	if err := l.Store.BatchPut(ctx, items[len(items)-1:]); err != nil {
		return fmt.Errorf("ledger: record request: %w", err)
	}
	return nil
}

// MarkQueued records that sent targets are on the queue. When every target
// of the request is (complete), the request leaves the unqueued index in
// one write; otherwise each sent target is marked.
func (l *Ledger) MarkQueued(ctx context.Context, r Request, sent []Target, complete bool) error {
	var items []Item
	if complete {
		r.Complete = true
		items = append(items, l.metaItem(r))
	} else {
		for _, t := range sent {
			t.Queued = true
			items = append(items, l.targetItem(r, t))
		}
	}
	if err := l.Store.BatchPut(ctx, items); err != nil {
		return fmt.Errorf("ledger: mark queued: %w", err)
	}
	return nil
}

// Record is a request with every target and its attempts, as read.
type Record struct {
	Request  Request
	Targets  []Target
	Attempts map[string][]Attempt // by target key
}

// Unqueued lists the targets never marked queued (none when the request is
// complete).
func (rec *Record) Unqueued() []Target {
	if rec.Request.Complete {
		return nil
	}
	var out []Target
	for _, t := range rec.Targets {
		if !t.Queued {
			out = append(out, t)
		}
	}
	return out
}

// Load reads a request with its targets and attempts (every page of its
// partition: for a SCIM restore, which folds a small request's outcomes,
// and tests; the status API reads StatusPage). ErrNotFound when there is
// no such request.
func (l *Ledger) Load(ctx context.Context, requestID string) (*Record, error) {
	return l.load(ctx, requestID, false)
}

// LoadUnqueued reads a request and only its targets never marked queued,
// page by page, dropping attempts and queued targets as each page is read:
// what a repeat and the sweep's backstop need to queue the rest, in memory
// of the unqueued part, not of the whole partition (a 50,000-target
// request with its attempts is tens of MiB). ErrNotFound when there is no
// such request.
func (l *Ledger) LoadUnqueued(ctx context.Context, requestID string) (*Record, error) {
	return l.load(ctx, requestID, true)
}

func (l *Ledger) load(ctx context.Context, requestID string, unqueuedOnly bool) (*Record, error) {
	rec := &Record{Attempts: map[string][]Attempt{}}
	found := false
	err := walk(ctx, l.Store, Query{PK: requestPK(requestID)}, eachItem(func(it Item) {
		if it.SK == skMeta {
			found = json.Unmarshal(it.Data, &rec.Request) == nil
			return
		}
		switch t, a := decodeTargetItem(it); {
		case t != nil && !(unqueuedOnly && t.Queued):
			rec.Targets = append(rec.Targets, *t)
		case a != nil && !unqueuedOnly:
			rec.Attempts[a.Key] = append(rec.Attempts[a.Key], *a)
		}
	}))
	if err != nil {
		return nil, fmt.Errorf("ledger: load request: %w", err)
	}
	if !found {
		return nil, ErrNotFound
	}
	return rec, nil
}

// Unqueued returns requests with targets still unqueued that were made
// before cutoff, oldest first, at most limit.
func (l *Ledger) Unqueued(ctx context.Context, cutoff time.Time, limit int) ([]Request, error) {
	items, err := queryAll(ctx, l.Store, Query{Index: G2, PK: gUnqueued, Below: stamp(cutoff), Limit: limit}, limit)
	if err != nil {
		return nil, fmt.Errorf("ledger: unqueued requests: %w", err)
	}
	var out []Request
	for _, it := range items {
		var r Request
		if json.Unmarshal(it.Data, &r) == nil && r.ID != "" {
			out = append(out, r)
		}
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
