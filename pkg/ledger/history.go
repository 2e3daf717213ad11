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
	order := map[string]string{} // request id → its index sort key
	for len(ids) <= limit {
		p, err := l.Store.Query(ctx, q)
		if err != nil {
			return nil, "", fmt.Errorf("ledger: history: %w", err)
		}
		for _, it := range p.Items {
			id := it.PK[len(pkRequest):]
			if _, seen := order[id]; !seen {
				order[id] = it.G1SK
				ids = append(ids, id)
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
		pr, err := l.personRequest(ctx, id, email)
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

// personRequest reads one request's record restricted to email's targets.
func (l *Ledger) personRequest(ctx context.Context, id, email string) (*PersonRequest, error) {
	rec, err := l.Load(ctx, id)
	if err == ErrNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	pr := &PersonRequest{Request: rec.Request}
	for _, st := range rec.Statuses() {
		if st.email() == email { // never by what a provider showed
			pr.Targets = append(pr.Targets, st)
		}
	}
	pr.Status, _ = Summarize(pr.Targets)
	return pr, nil
}
