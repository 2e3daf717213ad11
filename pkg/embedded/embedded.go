// Package embedded assembles the whole revoke pipeline in one process —
// the real API handler, an embedded queue with SQS semantics, the real
// consumer polled the way Lambda's event source mapping does, and the four
// provider simulators — for `make demo` and `make bench`. Nothing here
// talks to AWS.
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

	"github.com/revoke-dev/revoke/pkg/api"
	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/auth"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/consumer"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/secrets"
	"github.com/revoke-dev/revoke/pkg/simulator"
)

// Token is the embedded API's bearer token.
const Token = "embedded-demo-token-0123456789abcdef"

// Options shape the pipeline.
type Options struct {
	Sims       map[string]simulator.Options // by provider kind
	Rates      map[string]float64           // rate_per_second in each connection's secret, by provider kind
	BatchSize  int                          // event source BatchSize (default 100)
	Window     time.Duration                // MaximumBatchingWindow (default 1 s, the template's)
	Visibility time.Duration                // queue visibility timeout (default 30 s)
	Instances  int                          // concurrent consumer instances = MAX_CONCURRENCY (default 2)
	MaxReceive int                          // redrive maxReceiveCount (default 5)
	Timeout    time.Duration                // consumer invocation timeout (default 60 s)
	Log        io.Writer                    // function logs (default: discarded)
}

// Pipeline is a running embedded deployment.
type Pipeline struct {
	*simulator.Fleet

	Queue     *queue.Memory
	QueueURL  string
	DLQURL    string
	API       *api.Handler
	Consumers []*consumer.Consumer // one per instance, as Lambda runs one per container
	Config    *config.Config
	Secrets   *secrets.Memory
	opts      Options

	mu       sync.Mutex
	outcomes map[string]audit.Record // message id → last outcome
	invokes  int
}

// Start builds and starts the simulators and wires everything together.
func Start(o Options) (*Pipeline, error) {
	if o.BatchSize == 0 {
		o.BatchSize = 100
	}
	if o.Window == 0 {
		o.Window = time.Second
	}
	if o.Visibility == 0 {
		o.Visibility = 30 * time.Second
	}
	if o.Instances == 0 {
		o.Instances = 2
	}
	if o.MaxReceive == 0 {
		o.MaxReceive = 5
	}
	if o.Timeout == 0 {
		o.Timeout = 60 * time.Second
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	p := &Pipeline{
		Fleet: simulator.StartFleet(o.Sims),
		Queue: queue.NewMemory(), QueueURL: "memory://revoke", DLQURL: "memory://revoke-dlq",
		Secrets: &secrets.Memory{}, opts: o, outcomes: map[string]audit.Record{},
	}
	p.Queue.SetRedrive(p.QueueURL, p.DLQURL, o.MaxReceive)
	env := map[string]string{
		"CONNECTIONS": simulator.FleetConnections, "QUEUE_URL": p.QueueURL, "DLQ_URL": p.DLQURL, "API_TOKENS_SECRET_ID": "revoke/api-tokens",
		"ALLOW_INSECURE_HTTP": "true", "MAX_CONCURRENCY": fmt.Sprint(o.Instances), "MAX_TARGETS": "100000",
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		p.Fleet.Close()
		return nil, err
	}
	p.Config = cfg
	p.Secrets.Put("revoke/api-tokens", `{"tokens":["`+Token+`"]}`)
	for conn, v := range p.Fleet.Secrets(func(kind string) simulator.Settings {
		return simulator.Settings{RatePerSecond: cmp.Or(o.Rates[kind], 1000)}
	}) {
		p.Secrets.Put(cfg.SecretID(conn), v)
	}
	log := audit.NewLogger(o.Log, slog.LevelInfo)
	cache := secrets.NewCache(p.Secrets, config.DefaultSecretTTL)
	p.API = &api.Handler{Config: cfg, Auth: &auth.Authenticator{SecretID: cfg.APITokensSecretID, Source: cache}, Queue: p.Queue, Log: log}
	for range o.Instances {
		// Each instance has its own secret cache and rate limiters, and
		// spends 1/Instances of each provider's budget, as in Lambda.
		p.Consumers = append(p.Consumers, &consumer.Consumer{Config: cfg, Secrets: secrets.NewCache(p.Secrets, config.DefaultSecretTTL),
			DLQ: p.Queue, Log: log, Metrics: o.Log, OnOutcome: p.record})
	}
	return p, nil
}

func (p *Pipeline) record(r audit.Record) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.outcomes[r.MessageID] = r
}

// Response is an API answer.
type Response struct {
	Status    int
	RequestID string `json:"request_id"`
	Accepted  int    `json:"accepted"`
	At        time.Time
	Body      string
}

// Call sends one HTTP API request through the real handler.
func (p *Pipeline) Call(ctx context.Context, method, path, body string) Response {
	req := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: path, Body: body,
		Headers: map[string]string{"authorization": "Bearer " + Token, "content-type": "application/json"}}
	req.RequestContext.HTTP.Method = method
	resp, _ := p.API.Handle(ctx, req)
	r := Response{Status: resp.StatusCode, At: time.Now(), Body: resp.Body}
	_ = json.Unmarshal([]byte(resp.Body), &r)
	return r
}

// Run polls with Options.Instances concurrent consumer instances until ctx
// ends.
func (p *Pipeline) Run(ctx context.Context) *sync.WaitGroup {
	var wg sync.WaitGroup
	for _, c := range p.Consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			poller := &queue.Poller{Queue: p.Queue, URL: p.QueueURL, BatchSize: p.opts.BatchSize, Window: p.opts.Window,
				Visibility: p.opts.Visibility, Timeout: p.opts.Timeout, ARN: "arn:aws:sqs:local:000000000000:revoke"}
			for ctx.Err() == nil {
				n, _, _ := poller.Once(ctx, c.Handle)
				if n > 0 {
					p.mu.Lock()
					p.invokes++
					p.mu.Unlock()
					continue
				}
				select {
				case <-ctx.Done():
				case <-time.After(20 * time.Millisecond):
				}
			}
		}()
	}
	return &wg
}

// Pending counts messages still in the queue (visible or in flight).
func (p *Pipeline) Pending() int {
	v, f := p.Queue.Stats(p.QueueURL)
	return v + f
}

// Outcomes returns the last audit record of every message seen.
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
