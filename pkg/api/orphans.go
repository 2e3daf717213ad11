package api

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/submit"
)

// Error codes of the orphan routes (409).
const (
	codeNoDirectory = "no_directory"
	codeCannotList  = "cannot_list"
	codeTooMany     = "too_many_orphans"
	codeNoReport    = "no_report"
)

type orphanJSON struct {
	UserID     string     `json:"user_id"`
	Email      string     `json:"email"`
	LastSignIn *time.Time `json:"last_sign_in"`
	FirstSeen  time.Time  `json:"first_seen"`
	Status     string     `json:"status"`
	ExceptedBy *string    `json:"excepted_by"`
}

type orphansJSON struct {
	Connection string       `json:"connection"`
	Provider   string       `json:"provider"`
	Directory  []string     `json:"directory"`
	ListedAt   *time.Time   `json:"listed_at"`
	Orphans    []orphanJSON `json:"orphans"`
	Next       *string      `json:"next"`
}

var orphansCSVHeader = []string{"connection", "provider", "listed_at", "user_id", "email", "last_sign_in", "first_seen", "status", "excepted_by"}

// orphanConnection checks ?connection= (or the body's): a configured
// connection that can list, with a directory to compare against.
func (h *Handler) orphanConnection(rc *reqCtx, name string) (config.Connection, *events.APIGatewayV2HTTPResponse) {
	cn, ok := h.Config.Connection(name)
	reg := h.Submit.Providers
	if reg == nil {
		reg = registry.Builtin()
	}
	switch {
	case !ok:
		r := respondError(400, rc.id, codeInvalid, "connection must name a configured connection", "connection")
		return cn, &r
	case !reg.Can(cn.Provider, registry.Enumerate):
		r := respondError(409, rc.id, codeCannotList, cn.Name+" ("+cn.Provider+") cannot list its users: orphans cannot be found there", "connection")
		return cn, &r
	case len(h.Config.DirectorySources) == 0 && h.Config.SCIMTokensSecretID == "":
		r := respondError(409, rc.id, codeNoDirectory, "orphan detection is off: no directory configured (set DIRECTORY_SOURCES, or provision users through the SCIM front door)", "")
		return cn, &r
	}
	return cn, nil
}

// orphans answers GET /orphans?connection=: the connection's latest
// report (its latest complete listing compared with the directory), a
// page of accounts a call, JSON or CSV.
func (h *Handler) orphans(ctx context.Context, rc *reqCtx) events.APIGatewayV2HTTPResponse {
	name, _ := query(rc.req, "connection")
	cn, bad := h.orphanConnection(rc, name)
	if bad != nil {
		return *bad
	}
	csv, bad := wantsCSV(rc)
	if bad != nil {
		return *bad
	}
	def := defaultPage
	if csv {
		def = maxPage
	}
	limit, bad := pageLimit(rc, def)
	if bad != nil {
		return *bad
	}
	cursor, _ := query(rc.req, "cursor")
	out := orphansJSON{Connection: cn.Name, Provider: cn.Provider, Directory: []string{}, Orphans: []orphanJSON{}}
	rep, err := h.Ledger.Orphans(ctx, cn.Name)
	if err != nil {
		rc.log.Error("ledger: orphans", "error", err)
		return unavailable(rc.id, "the ledger is not available", 5*time.Second)
	}
	var page []ledger.Orphan
	next := ""
	if rep != nil {
		out.Directory = rep.Directory
		at := rep.ListedAt.UTC()
		out.ListedAt = &at
		page, next, err = h.Ledger.OrphanPage(ctx, rep, cursor, limit)
		if errors.Is(err, ledger.ErrCursor) {
			return badCursor(rc)
		}
		if err != nil {
			rc.log.Error("ledger: orphans", "error", err)
			return unavailable(rc.id, "the ledger is not available", 5*time.Second)
		}
	} else if cursor != "" {
		return badCursor(rc)
	}
	if next != "" {
		out.Next = &next
	}
	if csv {
		rows := make([][]string, len(page))
		for i, o := range page {
			last := ""
			if o.LastSignIn != nil {
				last = o.LastSignIn.UTC().Format(time.RFC3339)
			}
			rows[i] = []string{cn.Name, cn.Provider, out.ListedAt.Format(time.RFC3339), o.UserID, o.Email, last,
				o.FirstSeen.UTC().Format(time.RFC3339), o.Status, o.ExceptedBy}
		}
		return csvTable(rc.id, out.Next, orphansCSVHeader, "revoke-orphans-"+cn.Name+".csv", rows)
	}
	for _, o := range page {
		j := orphanJSON{UserID: o.UserID, Email: o.Email, LastSignIn: o.LastSignIn, FirstSeen: o.FirstSeen.UTC(), Status: o.Status}
		if o.ExceptedBy != "" {
			by := o.ExceptedBy
			j.ExceptedBy = &by
		}
		out.Orphans = append(out.Orphans, j)
	}
	return respond(200, rc.id, out)
}

// orphansRevoke answers POST /orphans/revoke: one normal request (source
// orphans, the caller as actor) of exactly the accounts the report lists
// as orphan now; dry_run makes it a dry run.
func (h *Handler) orphansRevoke(ctx context.Context, rc *reqCtx) events.APIGatewayV2HTTPResponse {
	body, errResp := jsonBody(rc)
	if errResp != nil {
		return *errResp
	}
	in, err := parseOrphansRevoke(body)
	if err != nil {
		return badRequest(rc, err)
	}
	cn, bad := h.orphanConnection(rc, in.Connection)
	if bad != nil {
		return *bad
	}
	sctx, cancel := budgeted(ctx, h.budget())
	defer cancel()
	rcpt, err := h.Submit.RevokeOrphans(sctx, cn.Name, in.Reason, rc.who.actor, in.DryRun)
	var ue *submit.UnavailableError
	switch {
	case err == nil && rcpt.RequestID == "":
		// Nothing listed as orphan: no request was made, so no request id.
		rc.log.Info("no orphans to revoke", "connection", cn.Name, "dry_run", in.DryRun)
		return respond(200, rc.id, map[string]int{"accepted": 0})
	case err == nil:
		rc.log.Info("orphans revoked", "connection", cn.Name, "revoke_request_id", rcpt.RequestID, "accepted", rcpt.Accepted, "dry_run", in.DryRun)
		return respond(202, rc.id, rcpt)
	case errors.Is(err, submit.ErrNoReport):
		return respondError(409, rc.id, codeNoReport, "no listing of "+cn.Name+" has been compared with the directory yet", "connection")
	case errors.Is(err, submit.ErrTooManyOrphans):
		return respondError(409, rc.id, codeTooMany, err.Error()+": revoke them in parts with POST /revocations", "connection")
	case errors.As(err, &ue):
		rc.log.Error("orphans not fully queued", "stage", ue.Stage, "error", ue.Err)
		return unavailable(rc.id, "the request could not be recorded and queued", 5*time.Second)
	}
	return badRequest(rc, err)
}
