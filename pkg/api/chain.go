package api

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/ledger"
)

// maxChainPage bounds the targets of one ?format=chain page: every attempt
// of each comes with it, so the page stays well under Lambda's 6 MB.
const maxChainPage = 200

type chainJSON struct {
	RequestID string `json:"request_id"`
	// Targets is how many targets the request recorded when it was made:
	// a verifier that finds fewer chains knows one was deleted.
	Targets int                  `json:"targets"`
	Chains  []ledger.TargetChain `json:"chains"`
	Next    *string              `json:"next"`
}

// chain answers GET /revocations/{request_id}?format=chain: a page of the
// targets' hash chains as stored (docs/design.md §8), what
// `revokectl evidence --verify` checks. The CSV's columns stay as they are.
func (h *Handler) chain(ctx context.Context, rc *reqCtx, requestID string) events.APIGatewayV2HTTPResponse {
	limit, bad := pageLimit(rc, defaultPage)
	if bad != nil {
		return *bad
	}
	page, fail := h.statusPage(ctx, rc, requestID, min(limit, maxChainPage))
	if fail != nil {
		return *fail
	}
	out := chainJSON{RequestID: page.Request.ID, Targets: page.Request.Targets, Chains: page.Chains}
	if page.Next != "" {
		out.Next = &page.Next
	}
	return respond(200, rc.id, out)
}
