package api

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/ledger"
)

// maxChainPage bounds the targets of one ?format=chain page: every attempt
// of each comes with it, so the page stays well under Lambda's 6 MB.
const maxChainPage = 200

type chainJSON struct {
	RequestID string               `json:"request_id"`
	Chains    []ledger.TargetChain `json:"chains"`
	Next      *string              `json:"next"`
}

// chain answers GET /revocations/{request_id}?format=chain: a page of the
// targets' hash chains as stored (docs/design.md §8), what
// `revokectl evidence --verify` checks. The CSV's columns stay as they are.
func (h *Handler) chain(ctx context.Context, rc *reqCtx, requestID string) events.APIGatewayV2HTTPResponse {
	limit, bad := pageLimit(rc, defaultPage)
	if bad != nil {
		return *bad
	}
	cursor, _ := query(rc.req, "cursor")
	page, err := h.Ledger.StatusPage(ctx, requestID, cursor, min(limit, maxChainPage))
	switch {
	case errors.Is(err, ledger.ErrCursor):
		return badCursor(rc)
	case errors.Is(err, ledger.ErrNotFound):
		return respondError(404, rc.id, codeNotFound, "no such request", "request_id")
	case err != nil:
		rc.log.Error("ledger: chain page", "error", err)
		return unavailable(rc.id, "the ledger is not available", 5*time.Second)
	}
	out := chainJSON{RequestID: page.Request.ID, Chains: page.Chains}
	if page.Next != "" {
		out.Next = &page.Next
	}
	return respond(200, rc.id, out)
}
