package ledger

import (
	"context"
	"encoding/json"
	"fmt"
)

// scanPage is the page size of the directory scans.
const scanPage = 1000

// EachSCIMUser gives fn every SCIM front-door user, a page at a time (one
// query a page; memory bounded by the page).
func (l *Ledger) EachSCIMUser(ctx context.Context, fn func(SCIMUser)) error {
	return l.each(ctx, Query{Index: G2, PK: gSCIMUsers, Limit: scanPage}, func(it Item) {
		for _, u := range decodeSCIM([]Item{it}) {
			fn(u)
		}
	})
}

// HasSCIMUsers reports whether the SCIM front door holds any user.
func (l *Ledger) HasSCIMUsers(ctx context.Context) (bool, error) {
	p, err := l.Store.Query(ctx, Query{Index: G2, PK: gSCIMUsers, Limit: 1})
	if err != nil {
		return false, fmt.Errorf("ledger: scim users: %w", err)
	}
	return len(p.Items) > 0, nil
}

// EachDirectoryUser gives fn every live snapshot entry of a directory, a
// page at a time.
func (l *Ledger) EachDirectoryUser(ctx context.Context, directory string, fn func(DirectoryUser)) error {
	return l.each(ctx, Query{PK: pkDirectory + directory, Prefix: skDirUser, Limit: scanPage}, func(it Item) {
		var u DirectoryUser
		if json.Unmarshal(it.Data, &u) == nil {
			fn(u)
		}
	})
}

func (l *Ledger) each(ctx context.Context, q Query, fn func(Item)) error {
	for {
		p, err := l.Store.Query(ctx, q)
		if err != nil {
			return fmt.Errorf("ledger: scan %s: %w", q.PK, err)
		}
		for _, it := range p.Items {
			fn(it)
		}
		if p.Next == "" {
			return nil
		}
		q.Cursor = p.Next
	}
}
