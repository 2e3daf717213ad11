package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/revoke-dev/revoke/internal/embedded"
	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/ledger"
)

// The demo's seeded orphans, on the SCIM connection: a contractor nobody
// offboarded (an orphan) and a service account an operator excepted.
const (
	OrphanConnection = "wiki"
	SeededOrphan     = "sc-old-contractor"
	SeededExcepted   = "sc-backup-bot"
	exceptedBy       = "token:security-team"
)

// SeedOrphans adds the seeded accounts and puts every other account of the
// connection into the followed directory, so exactly the seeded ones are
// in no directory.
func SeedOrphans(ctx context.Context, p *embedded.Pipeline, dir *inmem.Directory) error {
	p.SC.Add(simulator.User{ID: SeededOrphan, Email: "old.contractor@example.com"}, simulator.User{ID: SeededExcepted, Email: "backup-bot@example.com"})
	for _, u := range p.SC.Users() {
		if u.ID != SeededOrphan && u.ID != SeededExcepted {
			dir.Put(embedded.Directory, directory.User{ID: "dir-" + u.ID, Emails: []string{u.Email}})
		}
	}
	return p.Ledger.PutException(ctx, ledger.Exception{Connection: OrphanConnection, UserID: SeededExcepted, By: exceptedBy, Note: "nightly backup service"})
}

// ListOrphans runs the sweep's two orphan steps on the connection: the
// listing (its pages read by the consumer) and the comparison.
func ListOrphans(ctx context.Context, p *embedded.Pipeline, connection string) error {
	in := json.RawMessage(`{"orphans":{"connections":["` + connection + `"]}}`)
	if _, err := p.Sweep.Handle(ctx, in); err != nil {
		return err
	}
	if err := p.Drain(ctx); err != nil {
		return err
	}
	_, err := p.Sweep.Handle(ctx, in)
	return err
}

// driftAndOrphans is the demo's last act: an admin re-enables the leaver's
// Backendless account "for one day" and the drift check finds it; the
// sweep lists the SCIM connection against the directory and an operator
// revokes the one orphan it finds.
func driftAndOrphans(ctx context.Context, out io.Writer, p *embedded.Pipeline, dir *inmem.Directory, rep *Report) {
	fmt.Fprintln(out, "\nDrift and orphaned accounts")
	p.BL.Add(simulator.User{ID: "BL-DANA", Email: "dana@example.com"}) // re-enabled by an admin
	if _, err := p.Sweep.Handle(ctx, json.RawMessage(`{"drift":{}}`)); err != nil {
		rep.Problems = append(rep.Problems, "drift sweep: "+err.Error())
		return
	}
	if err := p.Drain(ctx); err != nil {
		rep.Problems = append(rep.Problems, "drift checks: "+err.Error())
		return
	}
	drift, _, err := p.Ledger.ListDrift(ctx, "", 10)
	if err != nil || len(drift) != 1 {
		rep.Problems = append(rep.Problems, fmt.Sprintf("drift: %d found (%v), want 1", len(drift), err))
		return
	}
	d := drift[0]
	fmt.Fprintf(out, "  drift found: %s %s (revoked by request %s) seen active again at %s; on_drift: %s (ERROR line, metric \"drift\", alarm)\n",
		d.Connection, d.UserID, d.RequestID, d.SeenAt.Format("15:04:05"), d.OnDrift)

	if err := SeedOrphans(ctx, p, dir); err != nil {
		rep.Problems = append(rep.Problems, "seeding orphans: "+err.Error())
		return
	}
	if _, err := p.Sweep.Handle(ctx, json.RawMessage(`{}`)); err != nil { // a run refreshes the snapshot with the seeded directory
		rep.Problems = append(rep.Problems, "snapshot: "+err.Error())
		return
	}
	if err := ListOrphans(ctx, p, OrphanConnection); err != nil {
		rep.Problems = append(rep.Problems, "orphan listing: "+err.Error())
		return
	}
	r := p.Call(ctx, "GET", "/orphans?connection="+OrphanConnection, "")
	fmt.Fprintf(out, "  revokectl orphans --connection %s\n", OrphanConnection)
	if err := PrintOrphans(out, []byte(r.Body)); err != nil || r.Status != 200 {
		rep.Problems = append(rep.Problems, fmt.Sprintf("GET /orphans: %d %s", r.Status, r.Body))
		return
	}
	r = p.Call(ctx, "POST", "/orphans/revoke", `{"connection":"`+OrphanConnection+`","reason":"orphan clean-up"}`)
	if r.Status != 202 || r.Accepted != 1 {
		rep.Problems = append(rep.Problems, fmt.Sprintf("POST /orphans/revoke: %d %s", r.Status, r.Body))
		return
	}
	if err := p.Drain(ctx); err != nil {
		rep.Problems = append(rep.Problems, "orphan revocation: "+err.Error())
		return
	}
	if u, _ := p.SC.User(SeededOrphan); !u.Disabled {
		rep.Problems = append(rep.Problems, "the orphan still has access")
		return
	}
	if u, _ := p.SC.User(SeededExcepted); u.Disabled {
		rep.Problems = append(rep.Problems, "the excepted account lost access")
		return
	}
	fmt.Fprintf(out, "  revokectl orphans revoke --connection %s → request %s (source orphans): %s revoked, %s kept (excepted)\n",
		OrphanConnection, r.RequestID, SeededOrphan, SeededExcepted)
}
