package ledger

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
)

// Bounds of a status page read.
const (
	// itemsPerTarget sizes one store query of a page: a target's item and
	// its usual few attempts.
	itemsPerTarget = 4
	// maxPageQueries bounds the store queries one page takes (more than one
	// only when a single target has more attempts than a query holds).
	maxPageQueries = 10
	// moreItems is the size of the queries after the first, when one
	// target's attempts did not fit in it.
	moreItems = 1000
	// maxCursor bounds a status cursor (bytes, encoded).
	maxCursor = 2048
	// maxCount bounds each count a cursor carries.
	maxCount = 10_000_000
)

// StatusPage is one page of a request's targets with their outcomes, read
// with one store query (docs/design.md §1, §8): the status of a request of
// any size costs memory and time per page, not per request.
type StatusPage struct {
	Request Request
	Targets []TargetStatus // this page's, in target-key order
	// Counts are by outcome, of every target of the request, as the first
	// page counted them (later pages carry them in their cursor).
	Counts map[message.Outcome]int
	// Status is the request's status (Summarize) from those counts.
	Status string
	Next   string // the cursor of the next page; "" on the last page
	// Chains are the targets' hash chains as stored (chain.go), in the
	// order of Targets: the export an auditor verifies (VerifyChain).
	Chains []TargetChain
}

// pageCursor is where a page ends and the request's counts the first page
// made; opaque to callers.
type pageCursor struct {
	After  string                  `json:"a"` // the sort key of the last target listed
	Counts map[message.Outcome]int `json:"c"`
}

func (c pageCursor) encode() string {
	return base64.RawURLEncoding.EncodeToString(encode(c))
}

// decodeCursor reads a cursor StatusPage issued: anything else, or a
// count out of range, is ErrCursor.
func decodeCursor(s string) (pageCursor, error) {
	var c pageCursor
	if len(s) > maxCursor {
		return c, ErrCursor
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, ErrCursor
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if dec.Decode(&c) != nil || dec.More() || !strings.HasPrefix(c.After, skTarget) || len(c.After) <= len(skTarget) {
		return pageCursor{}, ErrCursor
	}
	total := 0
	for o, n := range c.Counts {
		if !outcomeName(o) || n < 0 || n > maxCount {
			return pageCursor{}, ErrCursor
		}
		total += n
	}
	if total > maxCount || len(c.Counts) > 16 {
		return pageCursor{}, ErrCursor
	}
	return c, nil
}

// StatusPage reads up to limit targets of a request after cursor ("": from
// the first), with their folded outcomes. ErrNotFound when there is no such
// request; ErrCursor for a cursor it did not issue.
func (l *Ledger) StatusPage(ctx context.Context, requestID, cursor string, limit int) (*StatusPage, error) {
	cur := pageCursor{After: skTarget}
	if cursor != "" {
		var err error
		if cur, err = decodeCursor(cursor); err != nil {
			return nil, err
		}
	}
	limit = max(1, limit)
	var req Request
	found, _, err := l.getJSON(ctx, Key{PK: requestPK(requestID), SK: skMeta}, &req)
	if err != nil && !found {
		return nil, fmt.Errorf("ledger: status: %w", err)
	}
	if !found || err != nil {
		return nil, ErrNotFound
	}
	targets, attempts, heads, more, err := l.readTargets(ctx, requestID, cur.After, limit)
	if err != nil {
		return nil, err
	}
	page := &StatusPage{Request: req, Counts: map[message.Outcome]int{}, Targets: make([]TargetStatus, len(targets)),
		Chains: make([]TargetChain, len(targets))}
	for i, t := range targets {
		page.Targets[i] = Fold(t, attempts[t.Key], req.RequestedAt)
		page.Chains[i] = TargetChain{RequestID: req.ID, Key: t.Key, Head: heads[t.Key], Attempts: attempts[t.Key]}
		page.Counts[page.Targets[i].Outcome]++
	}
	switch {
	case cursor != "":
		page.Counts = cur.Counts // the whole request, as the first page counted it
	case more:
		// The contract's status and counts are the whole request's, on
		// every page: the first page counts every target once, streaming
		// (one target's attempts in memory at a time), and its cursor
		// carries the counts on.
		if page.Counts, err = l.countOutcomes(ctx, requestID, req.RequestedAt); err != nil {
			return nil, err
		}
	}
	if page.Counts == nil {
		page.Counts = map[message.Outcome]int{}
	}
	page.Status = statusOf(page.Counts)
	if more && len(targets) > 0 {
		page.Next = pageCursor{After: skTarget + targets[len(targets)-1].Key, Counts: page.Counts}.encode()
	}
	return page, nil
}

// countOutcomes folds every target of a request and counts the outcomes,
// reading the partition in store pages: a target's attempts follow its item
// in sort-key order, so only the current target's are held.
func (l *Ledger) countOutcomes(ctx context.Context, requestID string, requestedAt time.Time) (map[message.Outcome]int, error) {
	counts := map[message.Outcome]int{}
	var cur *Target
	var atts []Attempt
	flush := func() {
		if cur != nil {
			counts[Fold(*cur, atts, requestedAt).Outcome]++
		}
		cur, atts = nil, atts[:0]
	}
	q := Query{PK: requestPK(requestID), Above: skTarget} // the store's own page (DynamoDB: 1 MB)
	err := walk(ctx, l.Store, q, eachItem(func(it Item) {
		switch t, a := decodeTargetItem(it); {
		case t != nil:
			flush()
			cur = t
		case a != nil && cur != nil && a.Key == cur.Key:
			atts = append(atts, *a)
		}
	}))
	if err != nil {
		return nil, fmt.Errorf("ledger: status counts: %w", err)
	}
	flush()
	return counts, nil
}

// readTargets reads the targets after sort key after, at most limit, each
// with every one of its attempts; more is false once the partition is read
// to its end.
//
// A target's chain head and attempts sort after its item ("T#<key>" <
// "T#<key>#A!" < "T#<key>#A#…") and
// before "T#<key>#A$", so a target is complete once the read has passed
// that point (or reached the partition's end). Targets are taken in order
// while complete; the next page starts after the last one taken, and the
// attempts of a listed target it reads again are skipped (their target
// item is not on that page).
func (l *Ledger) readTargets(ctx context.Context, requestID, after string, limit int) (targets []Target, attempts map[string][]Attempt, heads map[string]*ChainHead, more bool, err error) {
	q := Query{PK: requestPK(requestID), Above: after, Limit: limit*itemsPerTarget + 1}
	attempts, heads = map[string][]Attempt{}, map[string]*ChainHead{}
	last := after
	for range maxPageQueries {
		p, err := l.Store.Query(ctx, q)
		if err != nil {
			return nil, nil, nil, false, fmt.Errorf("ledger: status: %w", err)
		}
		for _, it := range p.Items {
			last = it.SK
			if _, key, h := decodeHead(it); h != nil {
				heads[key] = h
				continue
			}
			switch t, a := decodeTargetItem(it); {
			case t != nil:
				targets = append(targets, *t)
			case a != nil:
				attempts[a.Key] = append(attempts[a.Key], *a)
			}
		}
		more = p.Next != ""
		n := 0
		for n < len(targets) && n < limit && (!more || last >= attemptsEnd(targets[n].Key)) {
			n++
		}
		if n > 0 || !more {
			return targets[:n], attempts, heads, more || n < len(targets), nil
		}
		// One target's attempts fill the query: read on, in larger queries.
		q.Cursor, q.Limit = p.Next, max(q.Limit, moreItems)
	}
	return nil, nil, nil, false, fmt.Errorf("ledger: status: %w", errTooManyAttempts)
}

var errTooManyAttempts = errors.New("a target has more attempts than a page can read")

// attemptsEnd is the first sort key after every attempt of target key.
func attemptsEnd(key string) string { return skTarget + key + "#A$" }

// decodeTargetItem reads a request partition's target or attempt item
// (both nil: neither).
func decodeTargetItem(it Item) (*Target, *Attempt) {
	if strings.Contains(it.SK, "#A#") {
		var a Attempt
		if json.Unmarshal(it.Data, &a) == nil && a.Key != "" && strings.HasPrefix(it.SK, skTarget+a.Key+"#A#") {
			return nil, &a
		}
	}
	var t Target
	if json.Unmarshal(it.Data, &t) == nil && t.Key != "" && it.SK == skTarget+t.Key {
		return &t, nil
	}
	return nil, nil
}

// outcomeName reports whether s can be an outcome a cursor counts: a short
// lower-case word.
func outcomeName(s message.Outcome) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && c != '_' {
			return false
		}
	}
	return true
}
