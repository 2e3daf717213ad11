package consumer

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/ratelimit"
)

// SecretSource is what the consumer needs from the secret cache
// (*secrets.Cache is one).
type SecretSource interface {
	Get(ctx context.Context, id string) (string, error)
	Refresh(ctx context.Context, id string, minAge time.Duration) (string, error)
}

// Consumer processes SQS batches. Build it once per container (it keeps
// each connection's client, rate limiter and secret between invocations);
// it is safe for concurrent use.
type Consumer struct {
	Config  *config.Config
	Secrets SecretSource
	DLQ     queue.Sender // sends to Config.DLQURL
	Log     *slog.Logger
	Metrics io.Writer    // Embedded Metric Format lines (stdout in Lambda); nil: none
	HTTP    *http.Client // shared by every provider client; nil: rest.NewHTTPClient()

	// Margin is kept free before the invocation's deadline for DLQ sends
	// and the response (zero: 2 s, or a fifth of the time left if less).
	Margin time.Duration
	// OnOutcome, when set, sees every target's audit record (the demo and
	// the benchmarks count outcomes with it).
	OnOutcome func(audit.Record)
	// RefreshMinAge stops a burst of 401s from re-reading a secret read
	// less than this long ago (zero: 5 s).
	RefreshMinAge time.Duration
	// Now is injectable for tests (nil: time.Now).
	Now func() time.Time

	once    sync.Once
	mu      sync.Mutex
	conns   map[string]*conn
	metrics audit.Metrics
}

// conn is what the consumer keeps per connection across invocations.
type conn struct {
	mu      sync.Mutex
	limiter *ratelimit.Limiter
	secret  string
	client  provider.Client
}

// item is one SQS record on its way through.
type item struct {
	rec   *events.SQSMessage
	msg   *message.Message // nil if the body is malformed
	start time.Time
	res   result
}

// result is where an item ends.
type result struct {
	outcome      string // audit.Outcome*
	code         string // error code (retry and dlq)
	errMsg       string
	status       int
	httpAttempts int
	auth         bool // a 401/403: worth one secret refresh
}

func (c *Consumer) init() {
	c.once.Do(func() {
		c.conns = map[string]*conn{}
		if c.HTTP == nil {
			c.HTTP = rest.NewHTTPClient()
		}
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
		items[i] = &item{rec: &ev.Records[i], start: start}
	}
	defer func() {
		if p := recover(); p != nil {
			c.Log.Error("panic while processing a batch; every message will be retried", "panic", p)
			resp = events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
			for _, it := range items {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: it.rec.MessageId})
			}
		}
	}()

	work, cancel := context.WithDeadline(ctx, c.workDeadline(ctx))
	groups := c.decode(items)
	var wg sync.WaitGroup
	for name, its := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.processConnection(work, name, its)
		}()
	}
	wg.Wait()
	cancel()
	c.deadLetter(ctx, items)

	for _, it := range items {
		if it.res.outcome == audit.OutcomeRetry {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: it.rec.MessageId})
		}
		c.audit(ctx, it)
	}
	if c.Metrics != nil {
		c.metrics.Flush(c.Metrics, c.now())
	}
	return resp, nil
}

func (c *Consumer) workDeadline(ctx context.Context) time.Time {
	dl, ok := ctx.Deadline()
	if !ok {
		return c.now().Add(5 * time.Minute)
	}
	margin := c.Margin
	if margin == 0 {
		margin = min(2*time.Second, time.Until(dl)/5)
	}
	return dl.Add(-margin)
}

func (c *Consumer) audit(ctx context.Context, it *item) {
	r := audit.Record{
		MessageID: it.rec.MessageId, Outcome: it.res.outcome, ErrorCode: it.res.code, Error: it.res.errMsg,
		HTTPStatus: it.res.status, HTTPAttempts: it.res.httpAttempts, Attempt: receiveCount(it.rec), Duration: c.now().Sub(it.start),
	}
	prov := "unknown"
	if m := it.msg; m != nil {
		r.RequestID, r.Connection, r.Provider, r.UserID, r.Email, r.Action, r.Source, r.Reason = m.RequestID, m.Connection, m.Provider, m.UserID, m.Email, m.Action, m.Source, m.Reason
		prov = m.Provider
	}
	r.Log(ctx, c.Log)
	c.metrics.Count(prov, it.res.outcome, 1)
	if c.OnOutcome != nil {
		c.OnOutcome(r)
	}
}

func receiveCount(rec *events.SQSMessage) int {
	n := 0
	for _, ch := range rec.Attributes[queue.AttrReceiveCount] {
		if ch < '0' || ch > '9' || n > 1e6 {
			return 0
		}
		n = n*10 + int(ch-'0')
	}
	return n
}
