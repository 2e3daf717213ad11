package sweep

import (
	"context"
	"errors"
	"fmt"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// comparePage is how many listed accounts the comparison holds at once.
const comparePage = 1000

// errCutShort means the comparison stopped at the deadline; the listing
// holds where it stopped and the next run continues from there.
var errCutShort = errors.New("sweep: the comparison stopped at the deadline")

// errNoSnapshot means a directory has no complete snapshot yet: no
// comparison runs against part of a directory.
var errNoSnapshot = errors.New("sweep: a directory has no complete snapshot yet")

// people is the set of addresses of active people in the directories,
// lower-cased: the one thing the comparison holds for the whole listing
// (about 100 bytes a person).
type people map[string]struct{}

// has reports whether any of the account's addresses is an active
// person's (an account with none is no one's).
func (p people) has(a ledger.ListedAccount) bool {
	for _, e := range append([]string{a.Email}, a.Also...) {
		if _, ok := p[e]; ok && e != "" {
			return true
		}
	}
	return false
}

// peopleOnce reads the active people once per sweep run, on the first
// comparison that needs them: every connection compared in the run sees the
// same set, and the same error (errNoSnapshot included) when reading them
// failed. One sweep run uses it from one goroutine.
type peopleOnce struct {
	s    *Sweeper
	dirs []string
	read bool
	set  people
	err  error
}

// get returns the active people of the run's directories, reading them on
// the first call.
func (o *peopleOnce) get(ctx context.Context) (people, error) {
	if !o.read {
		o.read = true
		o.set, o.err = o.s.activePeople(ctx, o.dirs)
	}
	return o.set, o.err
}

// activePeople reads the SCIM front door's active users and each
// snapshot's present, enabled users. An inactive or deleted SCIM user, a
// snapshot entry the directory shows disabled, and one not refreshed since
// its directory's last complete snapshot began, are not active; a
// snapshot cut short keeps the previous one's people (never half a
// directory).
func (s *Sweeper) activePeople(ctx context.Context, dirs []string) (people, error) {
	set := people{}
	for _, d := range dirs {
		if d == "scim" {
			err := s.Ledger.EachSCIMUser(ctx, func(u ledger.SCIMUser) {
				if !u.Active {
					return
				}
				if message.CheckEmail(u.UserName) == nil {
					set[message.NormalEmail(u.UserName)] = struct{}{}
				}
				for _, e := range u.Emails {
					set[message.NormalEmail(e.Value)] = struct{}{}
				}
			})
			if err != nil {
				return nil, err
			}
			continue
		}
		since, err := s.Ledger.SnapshotComplete(ctx, d)
		if err != nil {
			return nil, err
		}
		if since.IsZero() {
			return nil, fmt.Errorf("%w: %s", errNoSnapshot, d)
		}
		err = s.Ledger.EachDirectoryUser(ctx, d, func(u ledger.DirectoryUser) {
			if u.Refreshed.Before(since) || u.Disabled {
				return // not in the last complete snapshot (deleted there), or disabled there
			}
			for _, e := range u.Emails {
				set[message.NormalEmail(e)] = struct{}{}
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return set, nil
}

// compare reads a finished listing page by page against the directory
// (the active people of dirs, read once per run by ppl):
// an enabled account whose address belongs to no active person, and that
// revoke has not revoked itself, is an orphan, or excepted when an
// operator excepted it. First seen carries
// over from the previous report. The new report becomes the connection's
// in one write, after all its entries are written. A comparison the
// deadline cuts short saves where it stopped in the listing
// (errCutShort), and the next run continues from there.
func (s *Sweeper) compare(ctx context.Context, cn config.Connection, st *ledger.Listing, ppl *peopleOnce) (*ledger.OrphanReport, error) {
	dirs := ppl.dirs
	set, err := ppl.get(ctx)
	if err != nil {
		return nil, err
	}
	prev, err := s.Ledger.Orphans(ctx, cn.Name)
	if err != nil {
		return nil, err
	}
	exc, err := s.Ledger.Exceptions(ctx, cn.Name)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	marks := s.Ledger.ScanMarks(cn.Name) // one pass over the marks, merged with the sorted listing
	rep := ledger.OrphanReport{Connection: cn.Name, Provider: cn.Provider, ListingID: st.ID, ListedAt: st.UpdatedAt, Directory: dirs, ComparedAt: now}
	cursor := ""
	if p := st.Comparing; p != nil { // a comparison cut short: continue it
		cursor, rep.ComparedAt, rep.Accounts, rep.Orphans, rep.Excepted = p.Cursor, p.ComparedAt, p.Accounts, p.Orphans, p.Excepted
	}
	// page compares the listing's page at cursor into rep.
	page := func() (string, error) {
		accounts, next, err := s.Ledger.ListedPage(ctx, st, cursor, comparePage)
		if err != nil {
			return "", err
		}
		rep.Accounts += len(accounts)
		entries, ids := make([]ledger.Orphan, 0), make([]string, 0)
		for _, a := range accounts {
			if a.Disabled || set.has(a) {
				continue // no door, or a person's account
			}
			if revoked, err := marks.Revoked(ctx, a.UserID); err != nil {
				return "", err
			} else if revoked {
				continue // revoked through revoke (drift, if active again)
			}
			o := ledger.Orphan{UserID: a.UserID, Email: a.Email, FirstSeen: now, Status: ledger.StatusOrphan}
			if !a.LastSignIn.IsZero() {
				t := a.LastSignIn.UTC()
				o.LastSignIn = &t
			}
			if e, ok := exc[a.UserID]; ok {
				o.Status, o.ExceptedBy = ledger.StatusExcepted, e.By
				rep.Excepted++
			} else {
				rep.Orphans++
			}
			entries = append(entries, o)
			ids = append(ids, a.UserID)
		}
		prior, err := s.Ledger.PriorOrphans(ctx, prev, ids)
		if err != nil {
			return "", err
		}
		for i := range entries {
			if p, ok := prior[entries[i].UserID]; ok && p.FirstSeen.Before(entries[i].FirstSeen) {
				entries[i].FirstSeen = p.FirstSeen
			}
		}
		return next, s.Ledger.PutOrphans(ctx, rep, entries)
	}
	for {
		before := rep
		next, err := page()
		if err != nil && ctx.Err() != nil { // the deadline, within a page: continue from it
			return nil, s.saveProgress(ctx, st, before, cursor)
		}
		if err != nil {
			return nil, err
		}
		if next == "" {
			break
		}
		if ctx.Err() != nil { // the deadline, after a page: continue from the next
			return nil, s.saveProgress(ctx, st, rep, next)
		}
		cursor = next
	}
	if err := s.Ledger.PublishOrphans(ctx, rep); err != nil {
		return nil, err
	}
	st.Comparing = nil
	return &rep, nil
}

// saveProgress records where a comparison cut short stopped (after the
// work deadline: on the rest of the invocation's time).
func (s *Sweeper) saveProgress(ctx context.Context, st *ledger.Listing, rep ledger.OrphanReport, cursor string) error {
	st.Comparing = &ledger.CompareProgress{Cursor: cursor, ComparedAt: rep.ComparedAt, Accounts: rep.Accounts, Orphans: rep.Orphans, Excepted: rep.Excepted}
	if err := s.Ledger.SaveListing(context.WithoutCancel(ctx), st); err != nil {
		return fmt.Errorf("sweep: saving the comparison's progress: %w", err)
	}
	return errCutShort
}
