package embedded_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/awstest"
	"github.com/revoke-dev/revoke/internal/embedded"
	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/sweep"
)

// logs is a log and metrics sink safe for the consumer's goroutines.
type logs struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// stores runs a scenario on the in-memory ledger and, under
// scripts/with-moto, on moto's DynamoDB.
func stores(t *testing.T, run func(t *testing.T, store ledger.Store)) {
	t.Run("memory", func(t *testing.T) { run(t, nil) })
	t.Run("moto", func(t *testing.T) {
		if !awstest.Available() {
			t.Skip("no moto server: run through scripts/with-moto")
		}
		_, store := awstest.New(t).Ledger(t)
		run(t, store)
	})
}

type world struct {
	*embedded.Pipeline
	log *logs
	dir *inmem.Directory
}

func start(t *testing.T, store ledger.Store) *world {
	t.Helper()
	w := &world{log: &logs{}, dir: &inmem.Directory{}}
	p, err := embedded.Start(embedded.Options{Log: w.log, Store: store, Directory: w.dir, Instances: 1, Window: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	w.Pipeline = p
	return w
}

// call makes an API call and fails the test unless it answers want.
func (w *world) call(t *testing.T, want int, method, path, body string) map[string]any {
	t.Helper()
	r := w.Call(context.Background(), method, path, body)
	if r.Status != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, r.Status, r.Body, want)
	}
	var out map[string]any
	_ = json.Unmarshal([]byte(r.Body), &out)
	return out
}

func (w *world) drain(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.Drain(ctx); err != nil {
		t.Fatal(err)
	}
}

func (w *world) sweep(t *testing.T, input string) *sweep.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := w.Sweep.Handle(ctx, json.RawMessage(input))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// setSecret sets extra fields in a connection's secret.
func (w *world) setSecret(t *testing.T, conn string, fields map[string]any) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(w.Fleet.Secret(conn, simulator.Settings{RatePerSecond: 1000})), &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	w.Secrets.Put(w.Config.SecretID(conn), string(b))
}

func count(s, sub string) int { return strings.Count(s, sub) }
