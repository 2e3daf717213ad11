package consumer

import (
	"cmp"
	"context"
	"errors"
	"time"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
)

// DefaultListingPages bounds the pages one listing message reads before
// it queues the next (so one message never holds a consumer for long).
const DefaultListingPages = 200

// listPages reads the next pages of a connection's orphan listing, from
// where the ledger says it stopped (never from the start again), records
// each page's accounts and the listing's progress page by page, and
// queues a message for the rest. A page the provider refuses for good
// fails the listing (it is never compared, so half a list never makes
// orphans); a transient failure or the deadline stops early and the next
// message goes on. A listing another delivery advanced meanwhile
// (ledger.ErrListingMoved) is left to it.
func (c *Consumer) listPages(ctx context.Context, cn config.Connection, client provider.Client, it *item) {
	e, ok := client.(provider.Enumerator)
	if !ok {
		it.res = permanent(message.CodeUnsupported, cn.Provider+" cannot list its users", 0)
		return
	}
	s, err := c.Ledger.Listing(ctx, cn.Name)
	switch {
	case err != nil:
		it.res = result{outcome: message.Retrying, code: message.CodeUnavailable, errMsg: "reading the listing failed (retried)"}
		return
	case s == nil || s.ID != it.msg.RequestID || s.Done || s.Failed != "":
		it.res = result{outcome: readSettled} // replaced or finished: nothing to do
		return
	}
	pages, stopped := 0, ""
	for !s.Done && s.Failed == "" && pages < cmp.Or(c.ListingPages, DefaultListingPages) {
		if !c.timeForPage(ctx) {
			stopped = "deadline"
			break
		}
		p, err := e.Enumerate(ctx, s.Cursor)
		if err != nil && provider.As(err).Retryable() {
			stopped = provider.As(err).Error()
			break
		}
		s.UpdatedAt = c.now().UTC()
		if err != nil {
			s.Failed = provider.As(err).Error()
		} else if err := c.Ledger.PutListed(ctx, s, listed(p.Accounts)); err != nil {
			stopped = "the ledger refused the page"
			break
		} else {
			s.Cursor, s.Pages, s.Accounts, s.Done = p.Next, s.Pages+1, s.Accounts+len(p.Accounts), p.Next == ""
			if s.Accounts > ledger.MaxListed {
				s.Failed = "more accounts than one listing holds"
			}
		}
		if err := c.Ledger.SaveListing(ctx, s); errors.Is(err, ledger.ErrListingMoved) {
			it.res = result{outcome: readSettled}
			return
		} else if err != nil {
			it.res = result{outcome: message.Retrying, code: message.CodeUnavailable, errMsg: "saving the listing failed (retried)"}
			return
		}
		pages++
	}
	c.Log.Info("orphan listing", "connection", cn.Name, "listing_id", s.ID, "pages", pages, "total_pages", s.Pages, "accounts", s.Accounts,
		"done", s.Done, "failed", s.Failed, "stopped", stopped)
	it.res = result{outcome: readSettled}
	if s.Done || s.Failed != "" {
		return
	}
	if pages == 0 {
		// Nothing read: SQS delivers this message again later.
		it.res = result{outcome: message.Retrying, code: message.CodeUnavailable, errMsg: "no page read: " + stopped}
		return
	}
	if err := c.continueListing(ctx, cn, s); err != nil {
		c.Log.Warn("queueing the listing's next pages failed; retried from where it stopped", "connection", cn.Name, "error", err)
		it.res = result{outcome: message.Retrying, code: message.CodeUnavailable, errMsg: "queueing the next pages failed"}
	}
}

// timeForPage reports whether a page call fits before the work deadline.
func (c *Consumer) timeForPage(ctx context.Context) bool {
	if ctx.Err() != nil {
		return false
	}
	dl, ok := ctx.Deadline()
	return !ok || time.Until(dl) > time.Second
}

func (c *Consumer) continueListing(ctx context.Context, cn config.Connection, s *ledger.Listing) error {
	if c.Submit == nil || c.Submit.Queue == nil || c.Config.QueueURL == "" {
		return nil // the next sweep finds the listing stalled and continues it
	}
	return c.Submit.QueueListing(ctx, cn, s.ID, c.now())
}

// listed keeps what the report needs of each account: the id, the
// address lower-cased when it is one (else none) and its other addresses
// likewise, the state and the last sign-in.
func listed(accounts []provider.Account) []ledger.ListedAccount {
	out := make([]ledger.ListedAccount, 0, len(accounts))
	for _, a := range accounts {
		if message.CheckUserID(a.ID) != nil {
			continue
		}
		la := ledger.ListedAccount{UserID: a.ID, Disabled: a.Disabled, LastSignIn: a.LastActive}
		if message.CheckEmail(a.Email) == nil {
			la.Email = message.NormalEmail(a.Email)
		}
		for _, e := range a.Also {
			if len(la.Also) < provider.MaxAlso && message.CheckEmail(e) == nil {
				la.Also = append(la.Also, message.NormalEmail(e))
			}
		}
		out = append(out, la)
	}
	return out
}
