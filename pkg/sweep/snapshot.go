package sweep

import (
	"context"

	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/ledger"
)

// SnapshotResult reports one directory's snapshot.
type SnapshotResult struct {
	Directory string `json:"directory"`
	Status    string `json:"status"`
	Users     int    `json:"users"`
	Resumed   bool   `json:"resumed,omitempty"` // continued a snapshot an earlier run cut short
	Error     string `json:"error,omitempty"`
}

// snapshotBatch is how many users are written to the ledger at a time.
const snapshotBatch = 500

// snapshot lists a followed directory into the ledger (each user's id or
// sub → emails), so a deleted user can still be traced to a person. A
// directory that cannot be listed keeps its previous snapshot (entries
// live 7 days past their last refresh).
func (s *Sweeper) snapshot(ctx context.Context, d directory.Source) SnapshotResult {
	r := SnapshotResult{Directory: d.String(), Status: StatusOK}
	if s.Directory == nil || s.Ledger == nil {
		r.Status, r.Error = StatusError, "no directory reader or ledger configured"
		return r
	}
	if pg, ok := s.Directory.(directory.Pager); ok {
		s.snapshotPages(ctx, d, pg, &r)
		return r
	}
	var batch []ledger.DirectoryUser
	var werr error
	flush := func() {
		if len(batch) > 0 && werr == nil {
			werr = s.Ledger.PutDirectoryUsers(ctx, batch)
		}
		batch = batch[:0]
	}
	now := s.now().UTC()
	err := s.Directory.List(ctx, d, func(u directory.User) bool {
		r.Users++
		batch = append(batch, ledger.DirectoryUser{Directory: d.String(), UserID: u.ID, Emails: u.Emails, Refreshed: now, Disabled: u.Disabled})
		if len(batch) >= snapshotBatch {
			flush()
		}
		return werr == nil
	})
	flush()
	switch {
	case err != nil:
		r.Status, r.Error = StatusIncomplete, "listing the directory failed; the previous snapshot stays"
		s.Log.Error("sweep: directory snapshot", "directory", d.String(), "error", err)
	case werr != nil:
		r.Status, r.Error = StatusIncomplete, "writing the snapshot failed"
		s.Log.Error("sweep: directory snapshot", "directory", d.String(), "error", werr)
	default:
		// Only a complete snapshot tells who left: the orphan comparison
		// counts a person present when refreshed since the last one began.
		if err := s.Ledger.PutSnapshotComplete(ctx, d.String(), now); err != nil {
			r.Status, r.Error = StatusIncomplete, "recording the complete snapshot failed"
		}
	}
	return r
}
