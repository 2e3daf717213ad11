package consumer

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// A drift check delivered in the same batch as a revocation reads the
// provider only after the revocation and its read-back (background reads
// spend the budget last), is never recorded as a target, and is never
// dead-lettered.
func TestBackgroundReadsComeAfterChanges(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.BL.Add(simulator.User{ID: "BL-1"}, simulator.User{ID: "BL-2", Disabled: true})
	run := message.NewID()
	check := message.NewCheck(run, "crm", "backendless", "BL-2", false, time.Now())
	dlq := &fakeDLQ{}
	resp, _ := w.consumer(dlq).Handle(context.Background(), event(t, check, msg("crm", "backendless", "BL-1", "")))
	if len(resp.BatchItemFailures) != 0 || len(dlq.sent) != 0 {
		t.Fatalf("failures %v dlq %v", resp.BatchItemFailures, dlq.sent)
	}
	var routes []string
	for _, c := range w.BL.Stats().Calls {
		routes = append(routes, c.Route)
	}
	if got := strings.Join(routes, ","); got != "status,read,read" {
		t.Fatalf("calls %s, want the change, its read-back, then the check", got)
	}
	if _, err := w.ledger.StatusPage(context.Background(), run, "", 10); err == nil {
		t.Fatal("a background read was recorded as a request")
	}
}

// A drift check of an account the provider shows enabled, with no
// revocation recorded through revoke (a restore came after it), is not
// drift; one the ledger shows revoked is.
func TestDriftNeedsARevocation(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.BL.Add(simulator.User{ID: "BL-1"}, simulator.User{ID: "BL-2"})
	req := message.NewID()
	if err := w.ledger.PutMarks(context.Background(), []ledger.Mark{
		{Connection: "crm", UserID: "BL-1", Action: message.Revoke, RequestID: req, Key: "u:BL-1#crm", At: time.Now()},
		{Connection: "crm", UserID: "BL-2", Action: message.Revoke, RequestID: req, Key: "u:BL-2#crm", At: time.Now()},
		{Connection: "crm", UserID: "BL-2", Action: message.Restore, RequestID: message.NewID(), Key: "u:BL-2#crm", At: time.Now().Add(time.Second)},
	}); err != nil {
		t.Fatal(err)
	}
	run := message.NewID()
	w.consumer(&fakeDLQ{}).Handle(context.Background(), event(t,
		message.NewCheck(run, "crm", "backendless", "BL-1", false, time.Now()), message.NewCheck(run, "crm", "backendless", "BL-2", false, time.Now())))
	d, _, err := w.ledger.ListDrift(context.Background(), "", 10)
	if err != nil || len(d) != 1 || d[0].UserID != "BL-1" || d[0].RequestID != req {
		t.Fatalf("%+v %v", d, err)
	}
	if !strings.Contains(w.log.String(), `"msg":"drift check: account active, but restored through revoke after its revocation: not drift"`) {
		t.Fatal("the restored account's check says nothing")
	}
}

// A listing message whose invocation has no time left reads no page and
// is retried (SQS delivers it again), leaving the listing where it was.
func TestListingAtTheDeadline(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.SC.Add(simulator.User{ID: "sc-1", Email: "a@example.com"})
	id := message.NewID()
	s := &ledger.Listing{ID: id, Connection: "wiki", StartedAt: time.Now(), UpdatedAt: time.Now()}
	if err := w.ledger.SaveListing(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2900*time.Millisecond)
	defer cancel()
	c := w.consumer(&fakeDLQ{})
	c.Margin = 2 * time.Second // under a second left for work
	resp, _ := c.Handle(ctx, event(t, message.NewList(id, "wiki", "scim", time.Now())))
	if len(resp.BatchItemFailures) != 1 {
		t.Fatalf("%v", resp.BatchItemFailures)
	}
	if got, _ := w.ledger.Listing(context.Background(), "wiki"); got.Pages != 0 || got.Cursor != "" {
		t.Fatalf("%+v", got)
	}
	if n := w.SC.Stats().ByRoute["list"]; n != 0 {
		t.Fatalf("%d pages read past the deadline", n)
	}
}
