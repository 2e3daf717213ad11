package consumer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/revoke-dev/revoke/internal/awstest"
	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/api"
	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/auth"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/consumer"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/secrets"
	"github.com/revoke-dev/revoke/pkg/submit"
)

const apiToken = "integration-api-token-0123456789"

type pipeline struct {
	aws      *awstest.Env
	queueURL string
	dlqURL   string
	*simulator.Fleet
	api          *api.Handler
	consumer     *consumer.Consumer
	poller       *inmem.Poller
	requestIDs   []string
	wantRevoked  map[string][]string // connection → ids
	wantNotFound []string            // DLQ bodies' subjects
}

// newPipeline: moto SQS + Secrets Manager, the four simulators, the API in front.
func newPipeline(t *testing.T, o simulator.Options) *pipeline {
	t.Helper()
	e := awstest.New(t)
	p := &pipeline{aws: e, wantRevoked: map[string][]string{}}
	p.queueURL, p.dlqURL = e.QueueWithDLQ(t, "it-revoke", 3, 2*time.Second)
	p.Fleet = simulator.StartFleet(map[string]simulator.Options{"journeyapps": o, "backendless": o, "mendix": o, "scim": o})
	t.Cleanup(p.Fleet.Close)
	prefix := awstest.Unique("it") + "/"
	for conn, v := range p.Secrets(simulator.Uniform(simulator.Settings{RatePerSecond: 200})) {
		e.Secret(t, prefix+conn, v)
	}
	e.Secret(t, prefix+"api-tokens", `{"tokens":["`+apiToken+`"]}`)
	env := map[string]string{
		"CONNECTIONS": simulator.FleetConnections(), "SECRET_PREFIX": prefix,
		"QUEUE_URL": p.queueURL, "DLQ_URL": p.dlqURL, "API_TOKENS_SECRET_ID": prefix + "api-tokens", "ALLOW_INSECURE_HTTP": "true",
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	sm := secrets.NewCache(&secrets.SecretsManager{API: e.Secrets}, time.Minute)
	q := &queue.SQS{API: e.SQS}
	log := audit.NewLogger(io.Discard, slog.LevelInfo)
	led, _ := e.Ledger(t)
	sub := &submit.Submitter{Config: cfg, Ledger: led, Queue: q, Log: log}
	p.api = &api.Handler{Config: cfg, Auth: &auth.Authenticator{SecretID: cfg.APITokensSecretID, Source: sm}, Submit: sub, Ledger: led, Log: log}
	p.consumer = &consumer.Consumer{Config: cfg, Secrets: sm, DLQ: q, Ledger: led, Log: log}
	p.poller = &inmem.Poller{Queue: q, URL: p.queueURL, BatchSize: 10, Visibility: 2 * time.Second, Timeout: 20 * time.Second}
	return p
}

// populate creates n users per provider, plus targets that do not exist,
// and returns the request bodies to submit.
func (p *pipeline) populate(n int) []string {
	var ts []string
	for i := range n {
		ja, bl, mx, sc := fmt.Sprintf("ja-%03d", i), fmt.Sprintf("BL-%03d", i), fmt.Sprintf("6f1e7f5e-%04d", i), fmt.Sprintf("sc-%03d", i)
		p.JA.Add(simulator.User{ID: ja})
		p.BL.Add(simulator.User{ID: bl})
		p.MX.Add(simulator.User{ID: mx, Email: fmt.Sprintf("mx%d@example.com", i)})
		p.SC.Add(simulator.User{ID: sc, Email: fmt.Sprintf("sc%d@example.com", i)})
		p.wantRevoked["field-app"] = append(p.wantRevoked["field-app"], ja)
		p.wantRevoked["crm"] = append(p.wantRevoked["crm"], bl)
		p.wantRevoked["mendix"] = append(p.wantRevoked["mendix"], mx)
		p.wantRevoked["wiki"] = append(p.wantRevoked["wiki"], sc)
		ts = append(ts,
			fmt.Sprintf(`{"connection":"field-app","user_id":%q,"wipe":false}`, ja),
			fmt.Sprintf(`{"connection":"crm","user_id":%q}`, bl),
			fmt.Sprintf(`{"connection":"mendix","email":"mx%d@example.com"}`, i),
		)
		if i%2 == 0 {
			ts = append(ts, fmt.Sprintf(`{"connection":"wiki","user_id":%q}`, sc))
		} else {
			ts = append(ts, fmt.Sprintf(`{"connection":"wiki","email":"sc%d@example.com"}`, i))
		}
	}
	// A leaver with accounts in two places, revoked everywhere by email.
	p.BL.Add(simulator.User{ID: "BL-LEAVER", Email: "leaver@example.com"})
	p.SC.Add(simulator.User{ID: "sc-LEAVER", Email: "leaver@example.com"})
	p.wantRevoked["crm"] = append(p.wantRevoked["crm"], "BL-LEAVER")
	p.wantRevoked["wiki"] = append(p.wantRevoked["wiki"], "sc-LEAVER")
	ts = append(ts, `{"connection":"*","email":"leaver@example.com"}`)
	// Targets that fail permanently.
	ts = append(ts, `{"connection":"field-app","user_id":"ja-missing"}`, `{"connection":"crm","user_id":"BL-missing"}`, `{"connection":"mendix","email":"ghost@example.com"}`)
	p.wantNotFound = []string{"field-app:ja-missing", "crm:BL-missing", "mendix:ghost@example.com"}
	return []string{`{"reason":"integration","targets":[` + strings.Join(ts, ",") + `]}`}
}

func (p *pipeline) submit(t *testing.T, bodies []string) int {
	t.Helper()
	total := 0
	for _, b := range bodies {
		req := events.APIGatewayV2HTTPRequest{RawPath: "/revocations", Body: b, Headers: map[string]string{"authorization": "Bearer " + apiToken, "content-type": "application/json"}}
		req.RequestContext.HTTP.Method = "POST"
		resp, _ := p.api.Handle(context.Background(), req)
		if resp.StatusCode != 202 {
			t.Fatalf("submit: %d %s", resp.StatusCode, resp.Body)
		}
		var a struct {
			Accepted  int
			RequestID string `json:"request_id"`
		}
		_ = json.Unmarshal([]byte(resp.Body), &a)
		total += a.Accepted
		p.requestIDs = append(p.requestIDs, a.RequestID)
	}
	return total
}

func (p *pipeline) depth(t *testing.T, url string) (visible, inFlight int) {
	out, err := p.aws.SQS.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: &url,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	visible, _ = strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
	inFlight, _ = strconv.Atoi(out.Attributes["ApproximateNumberOfMessagesNotVisible"])
	return
}

// drive polls like Lambda's event source mapping until the queue is empty.
func (p *pipeline) drive(t *testing.T, h inmem.Handler) (invocations, crashes int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		n, _, err := p.poller.Once(context.Background(), h)
		if err != nil {
			crashes++
		}
		if n > 0 {
			invocations++
			continue
		}
		if v, f := p.depth(t, p.queueURL); v == 0 && f == 0 {
			return invocations, crashes
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatal("the queue did not drain")
	return
}

// check asserts the end state: every target revoked at its simulator or in
// the DLQ with its reason; nothing left in flight.
func (p *pipeline) check(t *testing.T, accepted int) {
	t.Helper()
	dlq := p.aws.Drain(t, p.dlqURL)
	inDLQ := map[string]map[string]string{}
	for _, m := range dlq {
		msg, err := message.Decode(*m.Body)
		if err != nil {
			t.Fatalf("DLQ body is not the original message: %v", err)
		}
		attrs := map[string]string{}
		for k, v := range m.MessageAttributes {
			attrs[k] = *v.StringValue
		}
		inDLQ[msg.Connection+":"+msg.Subject()] = attrs
	}
	revoked := 0
	for conn, ids := range p.wantRevoked {
		for _, id := range ids {
			u, _ := p.Sim(conn).User(id)
			if u.Disabled {
				revoked++
				continue
			}
			t.Errorf("%s:%s neither revoked nor accounted for (DLQ: %v)", conn, id, inDLQ)
		}
	}
	for _, nf := range p.wantNotFound {
		a, ok := inDLQ[nf]
		if !ok {
			t.Errorf("%s is not in the DLQ", nf)
			continue
		}
		if a["error_code"] != "not_found" && a["error_code"] != "" {
			t.Errorf("%s: DLQ error_code %q, want not_found", nf, a["error_code"])
		}
	}
	if v, f := p.depth(t, p.queueURL); v != 0 || f != 0 {
		t.Errorf("queue still holds %d visible, %d in flight", v, f)
	}
	// The ledger says the same: every target settled, the failures with
	// their reason.
	settled, failed := 0, 0
	for _, id := range p.requestIDs {
		st := p.status(t, id)
		for _, tg := range st.Targets {
			switch tg.Outcome {
			case "done", "already", "no_account":
				settled++
			case "failed":
				failed++
				if tg.ErrorCode == "" {
					t.Errorf("a failed target without its reason: %+v", tg)
				}
			default:
				t.Errorf("target still %s in the ledger: %+v", tg.Outcome, tg)
			}
		}
	}
	if settled+failed != accepted || failed != len(inDLQ) {
		t.Errorf("ledger: %d settled + %d failed, want %d accepted, %d in the DLQ", settled, failed, accepted, len(inDLQ))
	}
	t.Logf("accepted %d targets: %d revoked, %d in the DLQ", accepted, revoked, len(inDLQ))
}

type statusBody struct {
	Status  string
	Targets []struct {
		Outcome   string
		ErrorCode string `json:"error_code"`
	}
}

// status reads a request's status through the API, every page.
func (p *pipeline) status(t *testing.T, id string) statusBody {
	t.Helper()
	var all statusBody
	cursor := ""
	for {
		req := events.APIGatewayV2HTTPRequest{RawPath: "/revocations/" + id, Headers: map[string]string{"authorization": "Bearer " + apiToken},
			QueryStringParameters: map[string]string{"limit": "1000", "cursor": cursor}}
		req.RequestContext.HTTP.Method = "GET"
		resp, _ := p.api.Handle(context.Background(), req)
		var page struct {
			statusBody
			Next *string
		}
		if resp.StatusCode != 200 || json.Unmarshal([]byte(resp.Body), &page) != nil {
			t.Fatalf("status: %d %s", resp.StatusCode, resp.Body)
		}
		all.Status = page.Status
		all.Targets = append(all.Targets, page.Targets...)
		if page.Next == nil {
			return all
		}
		cursor = *page.Next
	}
}

func TestIntegrationPipeline(t *testing.T) {
	t.Parallel() // each on its own queues, secrets, table and simulators
	p := newPipeline(t, simulator.Options{})
	accepted := p.submit(t, p.populate(50))
	inv, _ := p.drive(t, p.consumer.Handle)
	p.check(t, accepted)
	if n := p.JA.Stats().ByRoute["batch"]; n > inv {
		t.Errorf("journeyapps: %d batch requests for %d invocations", n, inv)
	}
}

func TestIntegrationPipelineUnderFaults(t *testing.T) {
	t.Parallel() // each on its own queues, secrets, table and simulators
	p := newPipeline(t, simulator.Options{FaultRate: 0.2, Faults: []string{simulator.Fault5xx, simulator.FaultDrop}, Seed: 7})
	for _, s := range []interface{ SetOptions(simulator.Options) }{p.MX, p.SC} {
		s.SetOptions(simulator.Options{RatePerSecond: 5, Burst: 2, RetryAfter: true, FaultRate: 0.1, Seed: 3}) // 429 storms with Retry-After
	}
	p.BL.RateLimit200 = true
	p.BL.SetOptions(simulator.Options{RatePerSecond: 5, Burst: 2, FaultRate: 0.1, Seed: 5}) // code 999 with HTTP 200
	accepted := p.submit(t, p.populate(12))
	p.drive(t, p.consumer.Handle)
	p.check(t, accepted)
	t.Logf("faults injected: ja %d, bl %d (999s %d), mx %d (429s %d), sc %d (429s %d)",
		p.JA.Stats().Faults, p.BL.Stats().Faults, p.BL.Stats().RateLimited, p.MX.Stats().Faults, p.MX.Stats().RateLimited, p.SC.Stats().Faults, p.SC.Stats().RateLimited)
}

// TestIntegrationCrashAfterProviderCall: the consumer dies after the
// provider call but before SQS deletes the messages; on redelivery the
// result is still correct and nothing goes to the DLQ for them.
func TestIntegrationCrashAfterProviderCall(t *testing.T) {
	t.Parallel() // each on its own queues, secrets, table and simulators
	p := newPipeline(t, simulator.Options{})
	var ts []string
	for i := range 15 {
		id := fmt.Sprintf("ja-crash-%02d", i)
		p.JA.Add(simulator.User{ID: id})
		p.wantRevoked["field-app"] = append(p.wantRevoked["field-app"], id)
		ts = append(ts, fmt.Sprintf(`{"connection":"field-app","user_id":%q}`, id))
	}
	accepted := p.submit(t, []string{`{"targets":[` + strings.Join(ts, ",") + `]}`})
	crashed := 0
	crashing := func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		resp, err := p.consumer.Handle(ctx, ev)
		if crashed < 2 {
			crashed++
			panic("killed after the provider call, before the response")
		}
		return resp, err
	}
	_, crashes := p.drive(t, crashing)
	if crashes != 2 {
		t.Fatalf("%d crashes, want 2", crashes)
	}
	p.check(t, accepted)
	if dlq := p.aws.Drain(t, p.dlqURL); len(dlq) != 0 {
		t.Fatalf("%d messages in the DLQ after a crash", len(dlq))
	}
}
