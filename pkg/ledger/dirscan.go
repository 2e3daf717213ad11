package ledger

import (
	"context"
	"encoding/json"
	"fmt"
)

// scanPage is the page size of the directory scans.
const scanPage = 1000

// The SCIM roster: one item per SCIM front-door user, whoever owns it,
// written in the same transaction as the user (create, replace, delete),
// so the orphan comparison reads every user without knowing the owners
// (the token names, which the sweep may not read).
const pkSCIMRoster = "SCIMROSTER"

// rosterEntry is what the roster keeps of a user.
type rosterEntry struct {
	ID       string      `json:"id"`
	UserName string      `json:"userName"`
	Active   bool        `json:"active"`
	Emails   []SCIMEmail `json:"emails,omitempty"`
}

func rosterKey(id string) Key { return Key{PK: pkSCIMRoster, SK: id} }

func rosterItem(u SCIMUser) *Item {
	k := rosterKey(u.ID)
	return &Item{PK: k.PK, SK: k.SK, Data: encode(rosterEntry{ID: u.ID, UserName: u.UserName, Active: u.Active, Emails: u.Emails})}
}

// EachSCIMUser gives fn every SCIM front-door user (its id, userName,
// active and emails), a page at a time: the roster, then the users stored
// before the roster existed (the unowned listing), each once.
func (l *Ledger) EachSCIMUser(ctx context.Context, fn func(SCIMUser)) error {
	seen := map[string]bool{}
	err := l.each(ctx, Query{PK: pkSCIMRoster, Limit: scanPage}, func(it Item) {
		var e rosterEntry
		if json.Unmarshal(it.Data, &e) == nil && e.ID != "" {
			seen[e.ID] = true
			fn(SCIMUser{ID: e.ID, UserName: e.UserName, Active: e.Active, Emails: e.Emails})
		}
	})
	if err != nil {
		return err
	}
	return l.each(ctx, Query{Index: G2, PK: listPK(""), Limit: scanPage}, func(it Item) {
		for _, u := range decodeSCIM([]Item{it}) {
			if !seen[u.ID] {
				fn(u)
			}
		}
	})
}

// HasSCIMUsers reports whether the SCIM front door holds any user.
func (l *Ledger) HasSCIMUsers(ctx context.Context) (bool, error) {
	for _, q := range []Query{{PK: pkSCIMRoster, Limit: 1}, {Index: G2, PK: listPK(""), Limit: 1}} {
		p, err := l.Store.Query(ctx, q)
		if err != nil {
			return false, fmt.Errorf("ledger: scim users: %w", err)
		}
		if len(p.Items) > 0 {
			return true, nil
		}
	}
	return false, nil
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

// each gives fn every item of q, a store page at a time.
func (l *Ledger) each(ctx context.Context, q Query, fn func(Item)) error {
	if err := walk(ctx, l.Store, q, eachItem(fn)); err != nil {
		return fmt.Errorf("ledger: scan %s: %w", q.PK, err)
	}
	return nil
}

// eachItem is a walk callback that gives fn every item of every page.
func eachItem(fn func(Item)) func([]Item) bool {
	return func(page []Item) bool {
		for _, it := range page {
			fn(it)
		}
		return true
	}
}
