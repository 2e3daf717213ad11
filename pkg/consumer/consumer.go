package consumer

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/clients"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/submit"
)

// Consumer processes SQS batches. Build it once per container (it keeps
// each connection's client, rate limiter and secret between invocations);
// it is safe for concurrent use.
type Consumer struct {
	Config  *config.Config
	Secrets clients.SecretSource
	DLQ     queue.Sender // sends to Config.DLQURL
	// Proofs sends proof messages (read-backs of changes made) to
	// Config.QueueURL; nil: read-backs are made in the same invocation.
	Proofs  queue.Sender
	Ledger  *ledger.Ledger // every target's outcome, per delivery
	Log     *slog.Logger
	Metrics io.Writer    // Embedded Metric Format lines (stdout in Lambda); nil: none
	HTTP    *http.Client // shared by every provider client; nil: rest.NewHTTPClient()
	// Submit is the one request path, for the background reads: a drift
	// re-revocation (on_drift: revoke) is a request, and a listing's next
	// pages are queued with its Queue on Config.QueueURL. Nil: drift is
	// only alerted and a listing continues at the next sweep.
	Submit *submit.Submitter
	// Providers says what each connection's provider is and builds its
	// clients (nil: registry.Builtin()).
	Providers *registry.Registry

	// Margin is kept free before the invocation's deadline for DLQ sends,
	// the ledger and the response (zero: 2 s, or a fifth of the time left
	// if less).
	Margin time.Duration
	// OnOutcome, when set, sees every target's audit record (the demo and
	// the benchmarks count outcomes with it).
	OnOutcome func(audit.Record)
	// RefreshMinAge stops a burst of 401s from re-reading a secret read
	// less than this long ago (zero: clients.DefaultRefreshMinAge).
	RefreshMinAge time.Duration
	// ProofTime is the least time left in an invocation for a change's
	// read-back to be made there; with less, it is queued as a proof
	// message (zero: DefaultProofTime).
	ProofTime time.Duration
	// ListingPages bounds the pages one listing message reads before it
	// queues the rest (zero: DefaultListingPages).
	ListingPages int
	// Now is injectable for tests (nil: time.Now).
	Now func() time.Time

	once    sync.Once
	clients *clients.Builder
	metrics audit.Metrics
}

// item is one SQS record on its way through.
type item struct {
	rec     *events.SQSMessage
	msg     *message.Message // nil if the body is malformed
	receive int              // ApproximateReceiveCount
	redrive int              // the sweep's redrive_count
	start   time.Time
	res     result
	link    ledger.Link // where the ledger chained its outcome (zero: not recorded)
	// changedLink: where its changed attempt went (recordChanged), the
	// target's chain head the outcome's write need not read again.
	changedLink ledger.Link
	// announced: already recorded and logged as changed (recordChanged):
	// a changed outcome at the end is not written twice.
	announced bool
}

func (c *Consumer) init() {
	c.once.Do(func() {
		c.clients = &clients.Builder{Config: c.Config, Providers: c.Providers, Secrets: c.Secrets, HTTP: c.HTTP,
			Observe: c.observe, RefreshMinAge: c.RefreshMinAge}
		if c.Log == nil {
			c.Log = slog.New(slog.NewJSONHandler(io.Discard, nil))
		}
	})
}

func (c *Consumer) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Handle is the Lambda handler. It never returns an error: a failure of
// one message is that message's, never the batch's.
func (c *Consumer) Handle(ctx context.Context, ev events.SQSEvent) (resp events.SQSEventResponse, _ error) {
	c.init()
	// An empty list, never null: "no failures" in every reader's eyes.
	resp.BatchItemFailures = []events.SQSBatchItemFailure{}
	items := make([]*item, len(ev.Records))
	start := c.now()
	for i := range ev.Records {
		items[i] = &item{rec: &ev.Records[i], start: start, receive: receiveCount(ev.Records[i].Attributes[queue.AttrReceiveCount])}
	}
	defer func() {
		if p := recover(); p != nil {
			c.Log.Error("panic while finishing a batch; every message will be retried", "stack", string(debug.Stack()))
			resp = events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
			for _, it := range items {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: it.rec.MessageId})
			}
		}
	}()

	work, cancel := context.WithDeadline(ctx, c.workDeadline(ctx))
	groups := c.decode(items)
	changes := newPhase(work, len(groups)) // one per connection until it knows its groups
	var wg sync.WaitGroup
	for name, its := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.recoverConnection(name, its)
			c.processConnection(work, changes, name, its)
		}()
	}
	wg.Wait()
	changes.end()
	cancel()
	c.settle(ctx, items)

	for _, it := range items {
		if it.res.outcome == message.Retrying {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: it.rec.MessageId})
		}
		if !(it.announced && it.res.outcome == message.Changed) { // logged once, when it changed
			c.audit(ctx, it)
		}
	}
	if c.Metrics != nil {
		c.metrics.Flush(c.Metrics, c.now())
	}
	return resp, nil
}

// recoverConnection turns a panic while processing one connection into a
// retry of that connection's unsettled targets only.
func (c *Consumer) recoverConnection(name string, items []*item) {
	p := recover()
	if p == nil {
		return
	}
	c.Log.Error("panic while processing a connection; its unsettled targets will be retried", "connection", name, "stack", string(debug.Stack()))
	for _, it := range items {
		if !it.res.outcome.Final() {
			it.res = failure(provider.Panicked("consumer: "+name, nil), 0)
		}
	}
}

func (c *Consumer) workDeadline(ctx context.Context) time.Time {
	dl, ok := ctx.Deadline()
	if !ok {
		return time.Now().Add(5 * time.Minute) // a context deadline is wall-clock time
	}
	margin := c.Margin
	if margin == 0 {
		margin = min(2*time.Second, time.Until(dl)/5)
	}
	return dl.Add(-margin)
}

func receiveCount(s string) int {
	n := 0
	for _, ch := range s {
		if ch < '0' || ch > '9' || n > 1e6 {
			return 0
		}
		n = n*10 + int(ch-'0')
	}
	return n
}
