package sweep

import (
	"context"
	"time"

	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/ledger"
)

// progressEvery is how many pages a resumable snapshot reads between
// saves of its progress (it also saves when it stops early).
const progressEvery = 10

// snapshotPages is the snapshot of a directory read page by page
// (directory.Pager): a snapshot cut short by the deadline saves the page
// token it reached, and the next run continues from there with the same
// start time instead of starting over; only a finished one is recorded
// complete (the orphan comparison counts a person present when refreshed
// since the last complete snapshot began). A token that no longer works
// makes the next run start over.
func (s *Sweeper) snapshotPages(ctx context.Context, d directory.Source, pg directory.Pager, r *SnapshotResult) {
	dir := d.String()
	start, token := s.now().UTC(), ""
	if p, err := s.Ledger.SnapshotProgressOf(ctx, dir); err == nil && p != nil {
		start, token, r.Resumed = p.StartedAt, p.Token, true
	}
	saved := r.Resumed
	save := func(why string) {
		saved = true
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if len(token) <= directory.MaxTokenLen {
			_ = s.Ledger.PutSnapshotProgress(sctx, ledger.SnapshotProgress{Directory: dir, StartedAt: start, Token: token})
		}
		r.Status, r.Error = StatusIncomplete, why+"; the next run continues from where it stopped"
	}
	for pages := 0; ; pages++ {
		if ctx.Err() != nil {
			save("stopped at the deadline")
			return
		}
		users, next, err := pg.ListPage(ctx, d, token)
		if err != nil {
			s.Log.Error("sweep: directory snapshot", "directory", dir, "error", err)
			if r.Resumed && pages == 0 {
				_ = s.Ledger.ClearSnapshotProgress(ctx, dir) // a stale token: start over next run
				r.Status, r.Error = StatusIncomplete, "resuming the snapshot failed; the next run starts over"
				return
			}
			save("listing the directory failed")
			return
		}
		batch := make([]ledger.DirectoryUser, len(users))
		for i, u := range users {
			batch[i] = ledger.DirectoryUser{Directory: dir, UserID: u.ID, Emails: u.Emails, Refreshed: start, Disabled: u.Disabled}
		}
		if len(batch) > 0 {
			if err := s.Ledger.PutDirectoryUsers(ctx, batch); err != nil {
				s.Log.Error("sweep: directory snapshot", "directory", dir, "error", err)
				save("writing the snapshot failed")
				return
			}
		}
		r.Users += len(users)
		if next == "" {
			break
		}
		token = next
		if (pages+1)%progressEvery == 0 {
			save("in progress")
			r.Status, r.Error = StatusOK, ""
		}
	}
	if err := s.Ledger.PutSnapshotComplete(ctx, dir, start); err != nil {
		r.Status, r.Error = StatusIncomplete, "recording the complete snapshot failed"
		return
	}
	if saved {
		_ = s.Ledger.ClearSnapshotProgress(ctx, dir)
	}
}
