package ledger

import (
	"context"
	"fmt"
	"time"
)

// SnapshotTTL is how long a directory user outlives its last refresh.
const SnapshotTTL = 7 * 24 * time.Hour

// DirectoryUser is one user of a followed directory (docs/design.md §1b): the
// snapshot that lets a hard delete still be traced to a person.
type DirectoryUser struct {
	Directory string    `json:"directory"` // "identitystore:<id>" or "cognito:<pool>"
	UserID    string    `json:"user_id"`   // the store's user id, or the pool's sub
	Emails    []string  `json:"emails"`
	Refreshed time.Time `json:"refreshed"`
	// Disabled: the directory shows the user disabled (not an active
	// person for the orphan comparison).
	Disabled bool `json:"disabled,omitempty"`
}

func (l *Ledger) directoryItem(u DirectoryUser) Item {
	return Item{PK: pkDirectory + u.Directory, SK: skDirUser + u.UserID, TTL: u.Refreshed.Add(SnapshotTTL).Unix(), Data: encode(u)}
}

// PutDirectoryUsers records (or refreshes) directory users, batched.
func (l *Ledger) PutDirectoryUsers(ctx context.Context, users []DirectoryUser) error {
	items := make([]Item, len(users))
	now := l.now()
	for i, u := range users {
		if u.Refreshed.IsZero() {
			u.Refreshed = now
		}
		items[i] = l.directoryItem(u)
	}
	if err := l.Store.BatchPut(ctx, items); err != nil {
		return fmt.Errorf("ledger: directory snapshot: %w", err)
	}
	return nil
}

// DirectoryUser returns a snapshot entry, or nil.
func (l *Ledger) DirectoryUser(ctx context.Context, directory, userID string) (*DirectoryUser, error) {
	var u DirectoryUser
	found, _, err := l.getJSON(ctx, Key{PK: pkDirectory + directory, SK: skDirUser + userID}, &u)
	if err != nil {
		return nil, fmt.Errorf("ledger: directory user: %w", err)
	}
	if !found {
		return nil, nil
	}
	return &u, nil
}

// CountDirectory counts a directory's live snapshot entries.
func (l *Ledger) CountDirectory(ctx context.Context, directory string) (int, error) {
	return l.Store.Count(ctx, Query{PK: pkDirectory + directory, Prefix: skDirUser})
}

// snapshotHead is the record of a directory's last complete snapshot.
type snapshotHead struct {
	Directory string    `json:"directory"`
	StartedAt time.Time `json:"started_at"`
}

// PutSnapshotComplete records that a snapshot of directory started at
// startedAt listed every user: an entry refreshed before it belongs to a
// user the directory no longer has.
func (l *Ledger) PutSnapshotComplete(ctx context.Context, directory string, startedAt time.Time) error {
	it := Item{PK: pkDirectory + directory, SK: skMeta, Data: encode(snapshotHead{Directory: directory, StartedAt: startedAt.UTC()})}
	if err := l.Store.BatchPut(ctx, []Item{it}); err != nil {
		return fmt.Errorf("ledger: snapshot complete: %w", err)
	}
	return nil
}

// SnapshotComplete returns when the directory's last complete snapshot
// started, or the zero time if none completed.
func (l *Ledger) SnapshotComplete(ctx context.Context, directory string) (time.Time, error) {
	var h snapshotHead
	if _, _, err := l.getJSON(ctx, Key{PK: pkDirectory + directory, SK: skMeta}, &h); err != nil {
		return time.Time{}, fmt.Errorf("ledger: snapshot complete: %w", err)
	}
	return h.StartedAt, nil // zero when absent
}

// SnapshotProgress is a snapshot cut short: when it began (every entry it
// wrote is refreshed at that time) and the page token to resume from.
type SnapshotProgress struct {
	Directory string    `json:"directory"`
	StartedAt time.Time `json:"started_at"`
	Token     string    `json:"token"`
}

func progressKey(directory string) Key { return Key{PK: pkDirectory + directory, SK: "P"} }

// PutSnapshotProgress records where an unfinished snapshot stopped.
func (l *Ledger) PutSnapshotProgress(ctx context.Context, p SnapshotProgress) error {
	k := progressKey(p.Directory)
	it := Item{PK: k.PK, SK: k.SK, TTL: p.StartedAt.Add(SnapshotTTL).Unix(), Data: encode(p)}
	if err := l.Store.BatchPut(ctx, []Item{it}); err != nil {
		return fmt.Errorf("ledger: snapshot progress: %w", err)
	}
	return nil
}

// SnapshotProgressOf returns an unfinished snapshot's progress, or nil.
func (l *Ledger) SnapshotProgressOf(ctx context.Context, directory string) (*SnapshotProgress, error) {
	var p SnapshotProgress
	found, _, err := l.getJSON(ctx, progressKey(directory), &p)
	if err != nil && !found {
		return nil, fmt.Errorf("ledger: snapshot progress: %w", err)
	}
	if !found || err != nil || p.Token == "" {
		return nil, nil // an unreadable progress is no progress: the snapshot starts over
	}
	return &p, nil
}

// ClearSnapshotProgress forgets an unfinished snapshot's progress (it
// completed, or its token no longer works) by writing it already expired.
func (l *Ledger) ClearSnapshotProgress(ctx context.Context, directory string) error {
	return l.PutSnapshotProgress(ctx, SnapshotProgress{Directory: directory, StartedAt: time.Unix(1, 0).Add(-SnapshotTTL)})
}
