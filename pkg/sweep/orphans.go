package sweep

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/submit"
)

// Statuses of an orphan listing.
const (
	StatusOff      = "off"      // no directory configured
	StatusStarted  = "started"  // a new listing was queued
	StatusListing  = "listing"  // a listing is under way (continued if it stalled)
	StatusCompared = "compared" // a finished listing was compared: a new report
	StatusFailed   = "failed"   // the provider refused the listing for good
)

// StallAfter is how long a listing may go without progress before the
// sweep queues its next pages again (its message was lost, or the consumer
// was stopped between saving a page and queueing the rest).
const StallAfter = 15 * time.Minute

// NoDirectory is why orphan detection is off.
const NoDirectory = "no directory configured: set DIRECTORY_SOURCES, or provision users through the SCIM front door"

// OrphanResult reports one connection's orphan listing.
type OrphanResult struct {
	Connection string   `json:"connection"`
	Provider   string   `json:"provider"`
	Status     string   `json:"status"`
	ListingID  string   `json:"listing_id,omitempty"`
	Pages      int      `json:"pages,omitempty"`
	Accounts   int      `json:"accounts,omitempty"`
	Orphans    int      `json:"orphans,omitempty"`
	Excepted   int      `json:"excepted,omitempty"`
	Directory  []string `json:"directory,omitempty"`
	RequestID  string   `json:"request_id,omitempty"` // orphans: revoke
	Error      string   `json:"error,omitempty"`
}

// orphans moves each listable connection's listing one step: start a new
// one when the last started every_hours ago (or failed), continue one that
// stalled, or compare one that finished with the directory. Listing pages
// are read by the consumer (KindList); the sweep only compares.
func (s *Sweeper) orphans(work context.Context, dryRun bool, in Orphans) []OrphanResult {
	every := time.Duration(in.EveryHours) * time.Hour
	if every == 0 {
		every = DefaultOrphanEveryHours * time.Hour
	}
	dirs, err := s.directories(work)
	ppl := &peopleOnce{s: s, dirs: dirs} // read on the first comparison, shared by the rest
	out := make([]OrphanResult, 0, len(s.Config.Connections))
	for _, cn := range s.Config.Connections {
		if len(in.Connections) > 0 && !slices.Contains(in.Connections, cn.Name) {
			continue
		}
		r := OrphanResult{Connection: cn.Name, Provider: cn.Provider, Directory: dirs}
		kind, kerr := s.clients.Kind(cn)
		switch {
		case kerr != nil || !kind.Can(registry.Enumerate):
			r.Status, r.Error = StatusUnsupported, cn.Provider+" cannot list its users: orphans cannot be found there"
		case err != nil:
			r.Status, r.Error = StatusError, "reading the directory failed; the next run tries again"
		case len(dirs) == 0:
			r.Status, r.Error = StatusOff, NoDirectory
		default:
			s.orphanStep(work, dryRun, cn, ppl, every, &r)
		}
		s.Log.Info("sweep: orphans", "connection", cn.Name, "status", r.Status, "listing_id", r.ListingID, "accounts", r.Accounts,
			"orphans", r.Orphans, "excepted", r.Excepted, "error", r.Error)
		out = append(out, r)
	}
	return out
}

// directories names the directories compared: the SCIM front door when it
// holds users, and each DIRECTORY_SOURCES snapshot.
func (s *Sweeper) directories(ctx context.Context) ([]string, error) {
	var dirs []string
	has, err := s.Ledger.HasSCIMUsers(ctx)
	if err != nil {
		return nil, err
	}
	if has {
		dirs = append(dirs, "scim")
	}
	for _, d := range s.Config.DirectorySources {
		dirs = append(dirs, d.String())
	}
	return dirs, nil
}

func (s *Sweeper) orphanStep(work context.Context, dryRun bool, cn config.Connection, ppl *peopleOnce, every time.Duration, r *OrphanResult) {
	st, err := s.Ledger.Listing(work, cn.Name)
	if err != nil {
		r.Status, r.Error = StatusError, "reading the listing failed; the next run tries again"
		return
	}
	now := s.now().UTC()
	if st != nil {
		r.ListingID, r.Pages, r.Accounts = st.ID, st.Pages, st.Accounts
	}
	switch {
	case st == nil || ((st.Compared || st.Failed != "") && now.Sub(st.StartedAt) >= every):
		s.startListing(work, cn, st, now, r)
	case st.Failed != "":
		r.Status, r.Error = StatusFailed, st.Failed
	case !st.Done:
		r.Status = StatusListing
		if now.Sub(st.UpdatedAt) >= StallAfter {
			if err := s.queueListing(work, cn, st.ID, now); err != nil {
				r.Error = "continuing the stalled listing failed; the next run tries again"
			}
		}
	case !st.Compared:
		s.compareListing(work, dryRun, cn, st, ppl, r)
	default:
		r.Status = StatusOK
	}
}

func (s *Sweeper) startListing(work context.Context, cn config.Connection, prev *ledger.Listing, now time.Time, r *OrphanResult) {
	st := &ledger.Listing{ID: s.newID(), Connection: cn.Name, StartedAt: now, UpdatedAt: now}
	if prev != nil {
		st.Version = prev.Version
	}
	if err := s.Ledger.SaveListing(work, st); err != nil {
		r.Status, r.Error = StatusError, "starting the listing failed; the next run tries again"
		if errors.Is(err, ledger.ErrListingMoved) {
			r.Status, r.Error = StatusListing, ""
		}
		return
	}
	r.ListingID, r.Pages, r.Accounts = st.ID, 0, 0
	r.Status = StatusStarted
	if err := s.queueListing(work, cn, st.ID, now); err != nil {
		r.Error = "queueing the listing failed; the next run continues it"
	}
}

func (s *Sweeper) queueListing(ctx context.Context, cn config.Connection, id string, now time.Time) error {
	return s.Submit.QueueListing(ctx, cn, id, now)
}

// compareListing writes the finished listing's report, marks it compared
// and, under the connection's orphans: revoke (never in a dry run),
// revokes the orphans it found.
func (s *Sweeper) compareListing(work context.Context, dryRun bool, cn config.Connection, st *ledger.Listing, ppl *peopleOnce, r *OrphanResult) {
	rep, err := s.compare(work, cn, st, ppl)
	switch {
	case errors.Is(err, errCutShort):
		r.Status, r.Error = StatusIncomplete, "the comparison stopped at the deadline; the next run continues where it stopped"
		return
	case err != nil:
		r.Status, r.Error = StatusIncomplete, "the comparison stopped; the next run compares again"
		s.Log.Error("sweep: orphan comparison", "connection", cn.Name, "error", err)
		return
	}
	r.Status, r.Orphans, r.Excepted = StatusCompared, rep.Orphans, rep.Excepted
	st.Compared = true
	if err := s.Ledger.SaveListing(work, st); err != nil {
		r.Error = "marking the listing compared failed; the next run compares again"
	}
	if dryRun || rep.Orphans == 0 || !s.revokesOrphans(work, cn) {
		return
	}
	rcpt, err := s.Submit.RevokeOrphans(work, cn.Name, "", string(message.SourceSweep), false)
	r.RequestID = rcpt.RequestID
	var ue *submit.UnavailableError
	switch {
	case errors.As(err, &ue):
		r.Error = "the orphans' revocation was not wholly queued; the backstop queues the rest"
	case err != nil:
		r.Error = "revoking the orphans failed: " + err.Error()
	}
}

// revokesOrphans reads the connection's orphans setting from the settings
// its client was built with (revoke never revokes an orphan by itself
// unless it is "revoke"; a secret that cannot be read or used is not).
func (s *Sweeper) revokesOrphans(ctx context.Context, cn config.Connection) bool {
	_, st, err := s.clients.Client(ctx, cn, false)
	return err == nil && st.RevokesOrphans()
}
