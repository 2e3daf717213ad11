package api

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// Page sizes of the status and history routes.
const (
	defaultPage = 100
	maxPage     = 1000
)

type targetJSON struct {
	Connection    string          `json:"connection"`
	Provider      string          `json:"provider"`
	UserID        string          `json:"user_id,omitempty"`
	Email         string          `json:"email,omitempty"`
	ResolvedIDs   []string        `json:"resolved_ids,omitempty"`
	ResolvedEmail string          `json:"resolved_email,omitempty"`
	Outcome       message.Outcome `json:"outcome"`
	ErrorCode     *string         `json:"error_code"`
	ErrorMessage  *string         `json:"error_message"`
	HTTPStatus    *int            `json:"http_status"`
	Attempts      int             `json:"attempts"`
	Verified      *bool           `json:"verified"`
	UpdatedAt     time.Time       `json:"updated_at"`
}

func toJSON(t ledger.TargetStatus) targetJSON {
	j := targetJSON{Connection: t.Connection, Provider: t.Provider, UserID: t.UserID, Email: t.LookupEmail(), ResolvedIDs: t.ResolvedIDs,
		Outcome: t.Outcome, Attempts: t.Attempts, Verified: t.Verified, UpdatedAt: t.UpdatedAt.UTC()}
	if t.UserID != "" {
		j.ResolvedEmail = t.Shown
	} else {
		// A target named by email shows the accounts it resolved to, as
		// the CSV's user_id column does (one rule: space-separated).
		j.UserID = strings.Join(t.ResolvedIDs, " ")
	}
	if t.Code != "" {
		c := string(t.Code)
		j.ErrorCode = &c
	}
	if t.Message != "" {
		m := t.Message
		j.ErrorMessage = &m
	}
	if t.HTTPStatus != 0 {
		s := t.HTTPStatus
		j.HTTPStatus = &s
	}
	return j
}

type statusJSON struct {
	RequestID   string                  `json:"request_id"`
	Action      message.Action          `json:"action"`
	Reason      string                  `json:"reason"`
	Source      message.Source          `json:"source"`
	Actor       string                  `json:"actor"`
	DryRun      bool                    `json:"dry_run"`
	RequestedAt time.Time               `json:"requested_at"`
	Status      string                  `json:"status"`
	Counts      map[message.Outcome]int `json:"counts"`
	Targets     []targetJSON            `json:"targets"`
	Next        *string                 `json:"next"`
}

func badCursor(rc *reqCtx) events.APIGatewayV2HTTPResponse {
	return respondError(400, rc.id, codeInvalid, "cursor is not one this API issued", "cursor")
}

// pageLimit reads ?limit= (1 to 1000; def when absent).
func pageLimit(rc *reqCtx, def int) (int, *events.APIGatewayV2HTTPResponse) {
	v, ok := query(rc.req, "limit")
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPage {
		r := respondError(400, rc.id, codeInvalid, "limit must be 1 to 1000", "limit")
		return 0, &r
	}
	return n, nil
}

// wantsCSV reads ?format= (json by default).
func wantsCSV(rc *reqCtx) (csv bool, bad *events.APIGatewayV2HTTPResponse) {
	switch v, _ := query(rc.req, "format"); v {
	case "", "json":
		return false, nil
	case "csv":
		return true, nil
	}
	r := respondError(400, rc.id, codeInvalid, "format must be json or csv", "format")
	return false, &r
}

// status answers GET /revocations/{request_id}: one page of targets a
// call, read with one ledger query, JSON or CSV alike (or the targets'
// hash chains, ?format=chain); the cursor (next, or the CSV's
// X-Next-Cursor header) continues it.
func (h *Handler) status(ctx context.Context, rc *reqCtx) events.APIGatewayV2HTTPResponse {
	if !message.IsID(rc.param) {
		return respondError(400, rc.id, codeInvalid, "request_id must be a UUID", "request_id")
	}
	if f, _ := query(rc.req, "format"); f == "chain" {
		return h.chain(ctx, rc, strings.ToLower(rc.param))
	}
	csv, bad := wantsCSV(rc)
	if bad != nil {
		return *bad
	}
	def := defaultPage
	if csv {
		def = maxPage // evidence: the largest page, well under Lambda's 6 MB
	}
	limit, bad := pageLimit(rc, def)
	if bad != nil {
		return *bad
	}
	page, fail := h.statusPage(ctx, rc, strings.ToLower(rc.param), limit)
	if fail != nil {
		return *fail
	}
	var next *string
	if page.Next != "" {
		next = &page.Next
	}
	req := page.Request
	if csv {
		return csvResponse(rc.id, next, rows(req, page.Targets))
	}
	out := statusJSON{RequestID: req.ID, Action: req.Action, Reason: req.Reason, Source: req.Source,
		Actor: req.Actor, DryRun: req.DryRun, RequestedAt: req.RequestedAt.UTC(), Status: page.Status, Counts: page.Counts,
		Targets: make([]targetJSON, len(page.Targets)), Next: next}
	for i, t := range page.Targets {
		out.Targets[i] = toJSON(t)
	}
	return respond(200, rc.id, out)
}

type historyRequest struct {
	RequestID   string         `json:"request_id"`
	Action      message.Action `json:"action"`
	Source      message.Source `json:"source"`
	Actor       string         `json:"actor"`
	DryRun      bool           `json:"dry_run"`
	RequestedAt time.Time      `json:"requested_at"`
	Status      string         `json:"status"`
	Targets     []targetJSON   `json:"targets"`
}

type historyJSON struct {
	Email    string           `json:"email"`
	Requests []historyRequest `json:"requests"`
	Next     *string          `json:"next"`
}

// history answers GET /revocations?email=…: one person's requests, newest
// first.
func (h *Handler) history(ctx context.Context, rc *reqCtx) events.APIGatewayV2HTTPResponse {
	email, _ := query(rc.req, "email")
	if err := message.CheckEmail(email); err != nil {
		return respondError(400, rc.id, codeInvalid, "email: "+err.Error(), "email")
	}
	csv, bad := wantsCSV(rc)
	if bad != nil {
		return *bad
	}
	limit, bad := pageLimit(rc, defaultPage)
	if bad != nil {
		return *bad
	}
	cursor := ""
	if v, ok := query(rc.req, "cursor"); ok && v != "" {
		b, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil {
			return badCursor(rc)
		}
		cursor = string(b)
	}
	reqs, next, err := h.Ledger.History(ctx, email, cursor, limit)
	if errors.Is(err, ledger.ErrCursor) {
		return badCursor(rc)
	}
	if err != nil {
		rc.log.Error("ledger: history", "error", err)
		return unavailable(rc.id, "the ledger is not available", 5*time.Second)
	}
	var nextCursor *string
	if next != "" {
		c := base64.RawURLEncoding.EncodeToString([]byte(next))
		nextCursor = &c
	}
	if csv {
		var all [][]string
		for _, pr := range reqs {
			all = append(all, rows(pr.Request, pr.Targets)...)
		}
		return csvResponse(rc.id, nextCursor, all)
	}
	out := historyJSON{Email: message.NormalEmail(email), Requests: make([]historyRequest, 0, len(reqs)), Next: nextCursor}
	for _, pr := range reqs {
		r := pr.Request
		hr := historyRequest{RequestID: r.ID, Action: r.Action, Source: r.Source, Actor: r.Actor, DryRun: r.DryRun,
			RequestedAt: r.RequestedAt.UTC(), Status: pr.Status, Targets: make([]targetJSON, len(pr.Targets))}
		for i, t := range pr.Targets {
			hr.Targets[i] = toJSON(t)
		}
		out.Requests = append(out.Requests, hr)
	}
	return respond(200, rc.id, out)
}

// statusPage reads one page of a request's targets (?cursor=) for the
// status, evidence and chain answers, or the error answer: 400 for a
// cursor the API did not issue, 404, 503.
func (h *Handler) statusPage(ctx context.Context, rc *reqCtx, requestID string, limit int) (*ledger.StatusPage, *events.APIGatewayV2HTTPResponse) {
	cursor, _ := query(rc.req, "cursor")
	page, err := h.Ledger.StatusPage(ctx, requestID, cursor, limit)
	var fail events.APIGatewayV2HTTPResponse
	switch {
	case err == nil:
		return page, nil
	case errors.Is(err, ledger.ErrCursor):
		fail = badCursor(rc)
	case errors.Is(err, ledger.ErrNotFound):
		fail = respondError(404, rc.id, codeNotFound, "no such request", "request_id")
	default:
		rc.log.Error("ledger: status page", "error", err)
		fail = unavailable(rc.id, "the ledger is not available", 5*time.Second)
	}
	return nil, &fail
}
