package sweep

import (
	"context"

	"github.com/revoke-dev/revoke/pkg/directory"
)

// SnapshotResult reports one directory's snapshot.
type SnapshotResult struct {
	Directory string `json:"directory"`
	Status    string `json:"status"`
	Users     int    `json:"users"`
	Resumed   bool   `json:"resumed,omitempty"` // continued a snapshot an earlier run cut short
	Error     string `json:"error,omitempty"`
}

// snapshot lists a followed directory into the ledger (each user's id or
// sub → emails), so a deleted user can still be traced to a person, page
// by page (snapshotPages). A directory that cannot be listed keeps its
// previous snapshot (entries live 7 days past their last refresh).
func (s *Sweeper) snapshot(ctx context.Context, d directory.Source) SnapshotResult {
	r := SnapshotResult{Directory: d.String(), Status: StatusOK}
	if s.Directory == nil || s.Ledger == nil {
		r.Status, r.Error = StatusError, "no directory reader or ledger configured"
		return r
	}
	s.snapshotPages(ctx, d, s.Directory, &r)
	return r
}
