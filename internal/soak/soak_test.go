package soak

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
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
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/secrets"
	"github.com/revoke-dev/revoke/pkg/submit"
)

type lockedBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func duration(t *testing.T) time.Duration {
	if v := os.Getenv("REVOKE_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("REVOKE_SOAK=%q: %v", v, err)
		}
		return d
	}
	if testing.Short() {
		t.Skip("short")
	}
	return 5 * time.Second // make test: a smoke run; make soak runs minutes
}

func TestSoak(t *testing.T) {
	dur := duration(t)
	e := awstest.New(t)
	queueURL, dlqURL := e.QueueWithDLQ(t, "soak", 10, 2*time.Second)
	const apiToken, rotatedToken = "soak-api-token-0123456789", "soak-sc-token-ROTATED-98765"
	f := simulator.StartFleet(map[string]simulator.Options{
		"journeyapps": {FaultRate: 0.2, Faults: []string{simulator.Fault5xx, simulator.FaultDrop}, Seed: 1},
		"backendless": {RatePerSecond: 8, Burst: 2, FaultRate: 0.2, Faults: []string{simulator.FaultTimeout, simulator.Fault5xx}, Hang: 3 * time.Second, Seed: 2},
		"mendix":      {RatePerSecond: 4, Burst: 1, RetryAfter: true, FaultRate: 0.2, Seed: 3},
		"scim":        {RatePerSecond: 8, Burst: 1, FaultRate: 0.2, Faults: []string{simulator.FaultDrop, simulator.Fault5xx}, Seed: 4},
	})
	defer f.Close()
	f.BL.RateLimit200 = true
	secretsUsed := append(f.Credentials(), rotatedToken, apiToken)
	prefix := awstest.Unique("soak") + "/"
	// The secrets claim 3x what the providers allow (429 storms are the
	// point) and a 1 s call timeout shorter than the injected hangs.
	settings := func(kind string) simulator.Settings {
		return simulator.Settings{RatePerSecond: map[string]float64{"journeyapps": 30, "backendless": 24, "mendix": 12, "scim": 24}[kind], TimeoutSeconds: 1}
	}
	for conn, v := range f.Secrets(settings) {
		e.Secret(t, prefix+conn, v)
	}
	e.Secret(t, prefix+"api-tokens", `{"tokens":["`+apiToken+`"]}`)
	led, store := e.Ledger(t)
	env := map[string]string{"CONNECTIONS": simulator.FleetConnections(), "SECRET_PREFIX": prefix,
		"QUEUE_URL": queueURL, "DLQ_URL": dlqURL, "API_TOKENS_SECRET_ID": prefix + "api-tokens", "ALLOW_INSECURE_HTTP": "true", "MAX_CONCURRENCY": "2",
		"MAX_RECEIVE_COUNT": "10", "LEDGER_TABLE": store.Table}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	out := &lockedBuf{}
	log := audit.NewLogger(out, -4) // debug: the most output to scan for secrets
	q := &queue.SQS{API: e.SQS}
	apiH := &api.Handler{Config: cfg, Auth: &auth.Authenticator{SecretID: cfg.APITokensSecretID, Source: secrets.NewCache(&secrets.SecretsManager{API: e.Secrets}, time.Minute)},
		Submit: &submit.Submitter{Config: cfg, Ledger: led, Queue: q, Log: log}, Ledger: led, Log: log}
	var consumers []*consumer.Consumer
	for range 2 {
		consumers = append(consumers, &consumer.Consumer{Config: cfg, Secrets: secrets.NewCache(&secrets.SecretsManager{API: e.Secrets}, 5*time.Minute),
			DLQ: q, Ledger: led, Log: log, Metrics: out, RefreshMinAge: time.Second})
	}

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	type target struct{ conn, id string }
	var (
		mu        sync.Mutex
		submitted []target
		requests  []string
		missing   = map[target]bool{}
	)
	var killed, invocations atomic.Int64
	var wg sync.WaitGroup
	for i, c := range consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(i), 9))
			p := &inmem.Poller{Queue: q, URL: queueURL, BatchSize: 10, Visibility: 2 * time.Second, Timeout: 10 * time.Second}
			for {
				if ctx.Err() != nil {
					return
				}
				h := c.Handle
				if rnd.Float64() < 0.1 { // killed at a random point: no response, nothing deleted
					after := time.Duration(rnd.IntN(800)) * time.Millisecond
					h = func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
						kctx, cancel := context.WithTimeout(ctx, after)
						defer cancel()
						c.Handle(kctx, ev)
						killed.Add(1)
						panic("killed")
					}
				}
				n, _, _ := p.Once(ctx, h)
				if n == 0 {
					time.Sleep(200 * time.Millisecond)
					continue
				}
				invocations.Add(1)
			}
		}()
	}

	start := time.Now()
	rotated := false
	for seq := 0; time.Since(start) < dur; seq++ {
		if !rotated && time.Since(start) > dur/2 {
			rotated = true // the old SCIM token stops working; the secret has the new one
			f.SC.SetCredential(rotatedToken)
			e.Secret(t, prefix+"wiki", f.Secret("wiki", settings("scim")))
		}
		var ts []string
		mu.Lock()
		for k := range 8 {
			conn := []string{"field-app", "crm", "mendix", "wiki"}[k%4]
			id := fmt.Sprintf("%s-%04d-%d", conn, seq, k)
			tg := target{conn, id}
			if k == 7 && seq%3 == 0 {
				missing[tg] = true // never created: must end in the DLQ
			} else {
				f.Sim(conn).Add(simulator.User{ID: id})
			}
			submitted = append(submitted, tg)
			ts = append(ts, fmt.Sprintf(`{"connection":%q,"user_id":%q}`, conn, id))
		}
		mu.Unlock()
		req := events.APIGatewayV2HTTPRequest{RawPath: "/revocations", Body: `{"reason":"soak","targets":[` + strings.Join(ts, ",") + `]}`,
			Headers: map[string]string{"authorization": "Bearer " + apiToken, "content-type": "application/json"}}
		req.RequestContext.HTTP.Method = "POST"
		resp, _ := apiH.Handle(ctx, req)
		if resp.StatusCode != 202 {
			t.Fatalf("submit: %d %s", resp.StatusCode, resp.Body)
		}
		var accepted struct {
			RequestID string `json:"request_id"`
		}
		_ = json.Unmarshal([]byte(resp.Body), &accepted)
		requests = append(requests, accepted.RequestID)
		time.Sleep(400 * time.Millisecond)
	}
	// Drain.
	depth := func() int {
		o, err := e.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &queueURL, AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
		if err != nil {
			t.Fatal(err)
		}
		var a, b int
		fmt.Sscan(o.Attributes["ApproximateNumberOfMessages"], &a)
		fmt.Sscan(o.Attributes["ApproximateNumberOfMessagesNotVisible"], &b)
		return a + b
	}
	for deadline := time.Now().Add(4 * time.Minute); depth() > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Second)
	}
	stop()
	wg.Wait()

	// Account for every target.
	inDLQ := map[target]string{}
	for _, m := range e.Drain(t, dlqURL) {
		msg, err := message.Decode(*m.Body)
		if err != nil {
			t.Fatalf("DLQ holds a body that is not the original message: %s", *m.Body)
		}
		code := "(sqs redrive)"
		if v, ok := m.MessageAttributes["error_code"]; ok {
			code = *v.StringValue
		}
		inDLQ[target{msg.Connection, msg.UserID}] = code
	}
	var done, dlq, unaccounted int
	codes := map[string]int{}
	for _, tg := range submitted {
		u, _ := f.Sim(tg.conn).User(tg.id)
		switch code, ok := inDLQ[tg]; {
		case u.Disabled:
			done++
		case ok:
			dlq++
			codes[code]++
			if missing[tg] && code != "not_found" && code != "(sqs redrive)" {
				t.Errorf("%v: DLQ reason %s, want not_found", tg, code)
			}
		default:
			unaccounted++
			t.Errorf("%v is neither revoked nor in the DLQ", tg)
		}
	}
	for tg := range missing {
		if _, ok := inDLQ[tg]; !ok {
			t.Errorf("%v does not exist but is not in the DLQ", tg)
		}
	}
	// The ledger never says access is gone when it is not, and every
	// target ends settled there: done/already where the account is
	// disabled, failed where it went to the DLQ.
	outcomes := map[message.Outcome]int{}
	for _, id := range requests {
		rec, err := led.Load(context.Background(), id)
		if err != nil || rec == nil {
			t.Fatalf("request %s: %v", id, err)
		}
		for _, tg := range rec.Targets {
			st := ledger.Fold(tg, rec.Attempts[tg.Key], rec.Request.RequestedAt)
			outcomes[st.Outcome]++
			u, exists := f.Sim(tg.Connection).User(tg.UserID)
			if st.Outcome.Succeeded() && !(exists && u.Disabled) {
				t.Errorf("ledger says %s for %s on %s, but the account is not disabled", st.Outcome, tg.UserID, tg.Connection)
			}
			if !st.Outcome.Final() {
				t.Errorf("%s on %s is still %s in the ledger", tg.UserID, tg.Connection, st.Outcome)
			}
		}
	}
	t.Logf("ledger outcomes: %v", outcomes)
	faults := map[string]string{}
	for _, name := range []string{"field-app", "crm", "mendix", "wiki"} {
		st := f.Sim(name).Stats()
		faults[name] = fmt.Sprintf("%d requests, %d faults, %d 429/999, %d 401", st.Requests, st.Faults, st.RateLimited, st.Unauthorized)
	}
	t.Logf("soak %v: submitted %d, revoked %d, in DLQ %d %v, unaccounted %d; %d invocations, %d killed", dur, len(submitted), done, dlq, codes, unaccounted, invocations.Load(), killed.Load())
	t.Logf("faults: %v", faults)
	if f.SC.Stats().Unauthorized == 0 {
		t.Error("the rotation never made the old token fail")
	}
	// No secret anywhere in what the pipeline printed.
	logs := out.String()
	for _, s := range secretsUsed {
		if strings.Contains(logs, s) {
			t.Errorf("a secret (%s…) appears in the output", s[:8])
		}
	}
	var lines int
	for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
		if !json.Valid([]byte(l)) {
			t.Errorf("a log line is not JSON: %.100s", l)
			break
		}
		lines++
	}
	t.Logf("scanned %d log lines for %d secrets", lines, len(secretsUsed))
}
