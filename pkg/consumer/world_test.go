package consumer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/secrets"
)

// world is the simulator fleet behind four connections, secrets and the
// ledger in memory, on a settable clock.
type world struct {
	*simulator.Fleet
	store  *inmem.Secrets
	cfg    *config.Config
	reg    *registry.Registry // nil: the built-in providers
	log    *syncBuffer
	clock  *storetest.Clock
	ledger *ledger.Ledger
	lstore *inmem.Store
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newWorld(t testing.TB, o simulator.Options) *world {
	t.Helper()
	w := &world{Fleet: simulator.StartFleet(map[string]simulator.Options{"journeyapps": o, "backendless": o, "mendix": o, "scim": o}),
		store: &inmem.Secrets{}, log: &syncBuffer{}, clock: storetest.NewClock(time.Now())}
	t.Cleanup(w.Fleet.Close)
	var err error
	w.cfg, err = config.Load(func(k string) string {
		return map[string]string{
			"CONNECTIONS": simulator.FleetConnections(), "DLQ_URL": "dlq", "ALLOW_INSECURE_HTTP": "true", "MAX_CONCURRENCY": "1",
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	for conn, v := range w.Secrets(simulator.Uniform(simulator.Settings{RatePerSecond: 500})) {
		w.store.Put(w.cfg.SecretID(conn), v)
	}
	w.lstore = inmem.NewStore(w.clock.Now)
	w.ledger = ledger.New(w.lstore, time.Hour)
	return w
}

func (w *world) consumer(dlq queue.Sender) *Consumer {
	var out io.Writer = w.log
	if os.Getenv("REVOKE_TEST_LOGS") != "" {
		out = io.MultiWriter(w.log, os.Stderr)
	}
	cache := secrets.NewCache(w.store, time.Minute)
	cache.Now = w.clock.Now
	return &Consumer{Config: w.cfg, Providers: w.reg, Secrets: cache, DLQ: dlq, Ledger: w.ledger, Log: audit.NewLogger(out, slog.LevelDebug), Metrics: out}
}

// fakeDLQ records what is sent; fail refuses entries.
type fakeDLQ struct {
	mu   sync.Mutex
	sent []queue.Outgoing
	fail bool
}

func (d *fakeDLQ) SendBatch(_ context.Context, _ string, msgs []queue.Outgoing) ([]int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fail {
		return nil, fmt.Errorf("dlq down")
	}
	d.sent = append(d.sent, msgs...)
	return nil, nil
}

func (d *fakeDLQ) byBody() map[string]map[string]string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string]map[string]string{}
	for _, m := range d.sent {
		out[m.Body] = m.Attributes
	}
	return out
}

var testRequest = message.NewID()

func msg(conn, prov, userID, email string) message.Message {
	return message.New(message.Header{RequestID: testRequest, Action: message.Revoke, Source: message.SourceAPI, Actor: "token:test", RequestedAt: time.Now()},
		message.Target{Connection: conn, Provider: prov, UserID: userID, Email: email})
}

// event makes an SQS event; every record is on its first delivery unless
// receive says otherwise.
func event(t testing.TB, bodies ...any) events.SQSEvent { return eventN(t, 1, bodies...) }

func eventN(t testing.TB, receive int, bodies ...any) events.SQSEvent {
	t.Helper()
	var ev events.SQSEvent
	for i, b := range bodies {
		var s string
		switch v := b.(type) {
		case string:
			s = v
		case message.Message:
			var err error
			if s, err = v.Encode(); err != nil {
				t.Fatal(err)
			}
		}
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: fmt.Sprintf("m%d", i), ReceiptHandle: fmt.Sprintf("r%d", i), Body: s,
			Attributes: map[string]string{"ApproximateReceiveCount": fmt.Sprint(receive)}})
	}
	return ev
}

func failures(resp events.SQSEventResponse) map[string]bool {
	out := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		out[f.ItemIdentifier] = true
	}
	return out
}

// outcomes reads the ledger's latest outcome of every target of the test
// request, by subject.
func (w *world) outcomes(t testing.TB) map[string]ledger.TargetStatus {
	t.Helper()
	items, err := w.lstore.Query(context.Background(), ledger.Query{PK: "REQ#" + testRequest})
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string][]ledger.Attempt{}
	for _, it := range items.Items {
		var a ledger.Attempt
		if err := json.Unmarshal(it.Data, &a); err == nil && a.Key != "" && a.Outcome != "" {
			byKey[a.Key] = append(byKey[a.Key], a)
		}
	}
	out := map[string]ledger.TargetStatus{}
	for k, as := range byKey {
		st := ledger.Fold(ledger.Target{Key: k}, as, time.Time{})
		out[k] = st
	}
	return out
}
