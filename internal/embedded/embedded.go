// Package embedded assembles the whole revoke pipeline in one process —
// the real API handler (with the SCIM front door), the real trigger, the
// one request path, an embedded queue with SQS semantics, the real
// consumer polled the way Lambda's event source mapping does, the
// in-memory ledger, and a simulator of every provider kind — for `make
// demo`, the benchmarks and the soak. Nothing here talks to AWS.
package embedded

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/api"
	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/consumer"
	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/secrets"
	"github.com/revoke-dev/revoke/pkg/sweep"
	"github.com/revoke-dev/revoke/pkg/trigger"
	"github.com/revoke-dev/revoke/pkg/wiring"
)

// Tokens of the embedded API and SCIM front door.
const (
	Token     = "embedded-demo-token-0123456789abcdef"
	SCIMToken = "embedded-scim-token-0123456789abcdef"
)

// Options shape the pipeline.
type Options struct {
	Sims       map[string]simulator.Options // by provider kind
	Rates      map[string]float64           // rate_per_second in each connection's secret, by provider kind
	Undeclared bool                         // no rate_per_second in any secret: each consumer finds the rate
	OnOutcome  func(audit.Record)           // sees every audit record as it is written (changed included)
	Verify     *bool                        // verify in every connection's secret (nil: the default, on)
	BatchSize  int                          // event source BatchSize (default 100)
	Window     time.Duration                // MaximumBatchingWindow (default 1 s, the template's)
	Visibility time.Duration                // queue visibility timeout (default 30 s, and always longer than Timeout)
	Instances  int                          // concurrent consumer instances = MAX_CONCURRENCY (default 2)
	MaxReceive int                          // redrive maxReceiveCount (default 5)
	Timeout    time.Duration                // consumer invocation timeout (default 20 s)
	Directory  directory.Reader             // the followed directory (DIRECTORY_SOURCES identitystore:d-1234567890); nil: none
	Log        io.Writer                    // function logs (default: discarded)
	Store      ledger.Store                 // the ledger's store (nil: in memory, LedgerStore)
}

// Pipeline is a running embedded deployment.
type Pipeline struct {
	*simulator.Fleet

	Queue       *inmem.Queue
	QueueURL    string
	DLQURL      string
	API         *api.Handler
	Trigger     *trigger.Handler
	Consumers   []*consumer.Consumer // one per instance, as Lambda runs one per container
	Sweep       *sweep.Sweeper       // the scheduled sweep (Handle with a rule's Input)
	Config      *config.Config
	Secrets     *inmem.Secrets
	Ledger      *ledger.Ledger
	LedgerStore *inmem.Store
	opts        Options

	mu       sync.Mutex
	outcomes map[string]audit.Record // target (or message id) → last outcome
	invokes  int
}

// Directory is the followed directory's source id in the pipeline.
const Directory = "identitystore:d-1234567890"

// Start builds and starts the simulators and wires everything together.
func Start(o Options) (*Pipeline, error) {
	o.BatchSize = cmp.Or(o.BatchSize, 100)
	o.Window = cmp.Or(o.Window, time.Second)
	o.Visibility = cmp.Or(o.Visibility, 30*time.Second)
	o.Instances = cmp.Or(o.Instances, 2)
	o.MaxReceive = cmp.Or(o.MaxReceive, 5)
	o.Timeout = cmp.Or(o.Timeout, 20*time.Second)
	if o.Visibility <= o.Timeout {
		// As in the template (visibility 6 × the timeout): a batch must not
		// come back while its invocation still runs.
		o.Visibility = o.Timeout + o.Timeout/2
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	store := inmem.NewStore(nil)
	p := &Pipeline{
		Fleet: simulator.StartFleet(o.Sims),
		Queue: inmem.NewQueue(), QueueURL: "memory://revoke", DLQURL: "memory://revoke-dlq",
		Secrets: &inmem.Secrets{}, opts: o, outcomes: map[string]audit.Record{}, LedgerStore: store,
	}
	p.Queue.SetRedrive(p.QueueURL, p.DLQURL, o.MaxReceive)
	env := map[string]string{
		"CONNECTIONS": simulator.FleetConnections(), "QUEUE_URL": p.QueueURL, "DLQ_URL": p.DLQURL,
		"API_TOKENS_SECRET_ID": "revoke-auth/api-tokens", "SCIM_TOKENS_SECRET_ID": "revoke-auth/scim-tokens",
		"ALLOW_INSECURE_HTTP": "true", "MAX_CONCURRENCY": fmt.Sprint(o.Instances), "MAX_TARGETS": "100000",
		"MAX_RECEIVE_COUNT": fmt.Sprint(o.MaxReceive), "DIRECTORY_SOURCES": Directory,
	}
	reg := registry.Builtin()
	cfg, err := wiring.Load(func(k string) string { return env[k] }, reg)
	if err != nil {
		p.Fleet.Close()
		return nil, err
	}
	p.Config = cfg
	p.Secrets.Put("revoke-auth/api-tokens", `{"tokens":["`+Token+`"]}`)
	p.Secrets.Put("revoke-auth/scim-tokens", `{"tokens":[{"name":"entra","token":"`+SCIMToken+`","scopes":[]}]}`)
	for conn, v := range p.Fleet.Secrets(func(kind string) simulator.Settings {
		if o.Undeclared {
			return simulator.Settings{Verify: o.Verify}
		}
		return simulator.Settings{RatePerSecond: cmp.Or(o.Rates[kind], 1000), Verify: o.Verify}
	}) {
		p.Secrets.Put(cfg.SecretID(conn), v)
	}
	p.Ledger = ledger.New(store, cfg.Retention())
	if o.Store != nil {
		p.Ledger = ledger.New(o.Store, cfg.Retention())
	}
	// The same constructors as the Lambda functions (pkg/wiring), on
	// in-memory parts.
	log := audit.NewLogger(o.Log, slog.LevelInfo)
	parts := func() *wiring.Parts {
		return &wiring.Parts{Config: cfg, Providers: reg, Log: log, Queue: p.Queue, Ledger: p.Ledger,
			Secrets: secrets.NewCache(p.Secrets, config.DefaultSecretTTL), Metrics: o.Log, Directory: o.Directory}
	}
	front := parts()
	p.API = api.New(front)
	p.Trigger = trigger.New(front)
	for range o.Instances {
		// Each instance has its own secret cache and rate limiters, and
		// spends 1/Instances of each provider's budget, as in Lambda.
		c := consumer.New(parts())
		c.OnOutcome = p.record
		p.Consumers = append(p.Consumers, c)
	}
	p.Sweep = sweep.New(parts())
	return p, nil
}

func (p *Pipeline) record(r audit.Record) {
	if p.opts.OnOutcome != nil {
		p.opts.OnOutcome(r)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.outcomes[outcomeKey(r)] = r
}

// Response is an API answer.
type Response struct {
	Status    int
	RequestID string `json:"request_id"`
	Accepted  int    `json:"accepted"`
	At        time.Time
	Body      string
	Header    map[string]string
}

// Call sends one HTTP API request through the real handler with the API
// token (the SCIM token for /scim/v2 paths).
func (p *Pipeline) Call(ctx context.Context, method, path, body string, headers ...string) Response {
	tok, ct := Token, "application/json"
	if len(path) >= 8 && path[:8] == "/scim/v2" {
		tok, ct = SCIMToken, "application/scim+json"
	}
	h := map[string]string{"authorization": "Bearer " + tok, "content-type": ct}
	for i := 0; i+1 < len(headers); i += 2 {
		h[headers[i]] = headers[i+1]
	}
	raw, query := path, ""
	for i := range path {
		if path[i] == '?' {
			raw, query = path[:i], path[i+1:]
			break
		}
	}
	req := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: raw, RawQueryString: query, Body: body, Headers: h}
	req.RequestContext.HTTP.Method = method
	resp, _ := p.API.Handle(ctx, req)
	r := Response{Status: resp.StatusCode, At: time.Now(), Body: resp.Body, Header: resp.Headers}
	_ = json.Unmarshal([]byte(resp.Body), &r)
	return r
}

// poller is Lambda's event source mapping over the revoke queue; window is
// its batching window (0: one receive).
func (p *Pipeline) poller(window time.Duration) *inmem.Poller {
	return &inmem.Poller{Queue: p.Queue, URL: p.QueueURL, BatchSize: p.opts.BatchSize, Window: window,
		Visibility: p.opts.Visibility, Timeout: p.opts.Timeout, ARN: "arn:aws:sqs:local:000000000000:revoke"}
}

// once delivers one batch to h, counting the invocation; with nothing to
// deliver it waits a moment (or until ctx ends).
func (p *Pipeline) once(ctx context.Context, poller *inmem.Poller, h inmem.Handler) error {
	n, _, err := poller.Once(ctx, h)
	if n > 0 {
		p.mu.Lock()
		p.invokes++
		p.mu.Unlock()
		return err
	}
	select {
	case <-ctx.Done():
	case <-time.After(20 * time.Millisecond):
	}
	return err
}

// Run polls with Options.Instances concurrent consumer instances until ctx
// ends.
func (p *Pipeline) Run(ctx context.Context) *sync.WaitGroup {
	var wg sync.WaitGroup
	for _, c := range p.Consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			poller := p.poller(p.opts.Window)
			for ctx.Err() == nil {
				_ = p.once(ctx, poller, c.Handle) // a crash is the message's retry, as in Lambda
			}
		}()
	}
	return &wg
}

// Drain delivers what the queue holds to the first consumer, batch by
// batch, until it is empty or ctx ends (the tests' synchronous Run). A
// message reported as a failure comes back after the visibility timeout.
func (p *Pipeline) Drain(ctx context.Context) error {
	poller := p.poller(0)
	for p.Pending() > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := p.once(ctx, poller, p.Consumers[0].Handle); err != nil {
			return err
		}
	}
	return nil
}

// Pending counts messages still in the queue (visible or in flight).
func (p *Pipeline) Pending() int {
	v, f := p.Queue.Stats(p.QueueURL)
	return v + f
}

// Outcomes returns the last audit record of every target seen (a change
// and its proof message are one target), or of every message that names
// none.
func (p *Pipeline) Outcomes() map[string]audit.Record {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]audit.Record, len(p.outcomes))
	for k, v := range p.outcomes {
		out[k] = v
	}
	return out
}

// Invocations counts consumer invocations so far.
func (p *Pipeline) Invocations() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.invokes
}

// ConnectionNames lists the configured connections.
func (p *Pipeline) ConnectionNames() []string {
	names := make([]string, len(p.Config.Connections))
	for i, c := range p.Config.Connections {
		names[i] = c.Name
	}
	return names
}

// outcomeKey is a record's target: its request, connection and subject; a
// message that names none is keyed by its id.
func outcomeKey(r audit.Record) string {
	if r.RequestID == "" || r.Connection == "" || r.UserID == "" && r.Email == "" {
		return "msg:" + r.MessageID
	}
	return r.RequestID + "|" + r.Connection + "|" + r.UserID + "|" + r.Email
}
