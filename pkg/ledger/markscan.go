package ledger

import (
	"context"
	"fmt"

	"github.com/revoke-dev/revoke/pkg/message"
)

// MarkScan walks a connection's marks in user-id order, a page of
// maxMarkPage at a time, to tell which of accounts asked in ascending
// user-id order revoke revoked: the orphan comparison's one pass over the
// marks, merged with the sorted listing, so it costs one query a page of
// marks, never one an account. A mark's sort key "<user id>#<requested
// at>" sorts as its user id does, since a user id holds no character at
// or below '#' (message.CheckUserID).
type MarkScan struct {
	l          *Ledger
	connection string
	buf        []Mark
	cursor     string
	started    bool
	done       bool
	last       string // the last user id asked
}

// ScanMarks starts a scan of a connection's marks; it reads nothing until
// asked.
func (l *Ledger) ScanMarks(connection string) *MarkScan {
	return &MarkScan{l: l, connection: connection}
}

// Revoked reports whether the account's latest change through revoke is a
// revoke. Accounts must be asked in ascending user-id order; the first
// query starts at the first account asked, so a comparison continued
// mid-listing reads no marks before it.
func (s *MarkScan) Revoked(ctx context.Context, userID string) (bool, error) {
	if s.started && userID < s.last {
		return false, fmt.Errorf("ledger: account marks: %q asked after %q", userID, s.last)
	}
	s.last = userID
	var group []Mark
	for {
		for len(s.buf) > 0 && s.buf[0].UserID < userID {
			s.buf = s.buf[1:]
		}
		for len(s.buf) > 0 && s.buf[0].UserID == userID {
			group = append(group, s.buf[0])
			if len(group) > 2 {
				group = fold(group)
			}
			s.buf = s.buf[1:]
		}
		if len(s.buf) > 0 || s.done {
			return latest(group) != nil, nil
		}
		if err := s.next(ctx, userID); err != nil {
			return false, err
		}
	}
}

// next reads the next page of marks (the first from userID on).
func (s *MarkScan) next(ctx context.Context, userID string) error {
	q := Query{Index: G2, PK: pkMarks + s.connection, Limit: maxMarkPage, Cursor: s.cursor}
	if !s.started {
		q.Above = userID // every mark of userID and of the accounts after it
	}
	p, err := s.l.Store.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("ledger: account marks: %w", err)
	}
	s.started, s.cursor, s.done = true, p.Next, p.Next == ""
	s.buf = s.buf[:0]
	for _, it := range p.Items {
		if m, ok := decodeMark(it); ok {
			s.buf = append(s.buf, m)
		}
	}
	return nil
}

// fold keeps of one account's marks the two that decide it: its latest
// revoke and its latest restore (so a long history holds two marks).
func fold(marks []Mark) []Mark {
	var out []Mark
	for _, a := range []message.Action{message.Revoke, message.Restore} {
		var best *Mark
		for i := range marks {
			if marks[i].Action == a && (best == nil || marks[i].At.After(best.At)) {
				best = &marks[i]
			}
		}
		if best != nil {
			out = append(out, *best)
		}
	}
	return out
}
