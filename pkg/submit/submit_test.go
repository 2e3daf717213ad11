package submit

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/request"
	"github.com/revoke-dev/revoke/pkg/retry"
)

func fixture(t *testing.T, vars map[string]string) (*Submitter, *inmem.Sender, *inmem.Store) {
	t.Helper()
	env := map[string]string{"CONNECTIONS": "field-app=journeyapps,crm=backendless,mendix=mendix,wiki=scim", "QUEUE_URL": "q"}
	for k, v := range vars {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	store := inmem.NewStore(nil)
	q := &inmem.Sender{}
	return &Submitter{Config: cfg, Ledger: ledger.New(store, time.Hour), Queue: q, Log: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		SendPolicy: retry.Policy{Attempts: 1}}, q, store
}

// sent decodes what the queue accepted.
func sent(t *testing.T, q *inmem.Sender) []*message.Message {
	t.Helper()
	m, err := q.Messages()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func alice() *request.Request {
	return request.ForEvent(message.Revoke, []string{"alice@example.com"}, nil, "leaver")
}

// One message per target, recorded before it is queued, with the
// request's source and actor in both.
func TestSubmitRecordsThenQueues(t *testing.T) {
	s, q, _ := fixture(t, nil)
	rc, err := s.Submit(context.Background(), Submission{Request: alice(), Source: message.SourceOkta, Actor: "okta", Key: "okta:u-1"})
	if err != nil || rc.Accepted != 4 || len(q.Sent()) != 4 || rc.Repeat {
		t.Fatalf("%+v %v, %d sent", rc, err, len(q.Sent()))
	}
	for _, m := range sent(t, q) {
		if m.RequestID != rc.RequestID || m.Source != message.SourceOkta || m.Actor != "okta" || m.Email != "alice@example.com" || !m.Fanout {
			t.Fatalf("message %+v", m)
		}
	}
	rec, err := s.Ledger.Load(context.Background(), rc.RequestID)
	if err != nil || len(rec.Targets) != 4 || len(rec.Unqueued()) != 0 || rec.Request.Actor != "okta" {
		t.Fatalf("ledger %+v %v", rec, err)
	}
	// The same event again: the first answer, nothing more queued.
	again, err := s.Submit(context.Background(), Submission{Request: alice(), Source: message.SourceOkta, Actor: "okta", Key: "okta:u-1"})
	if err != nil || again.RequestID != rc.RequestID || !again.Repeat || len(q.Sent()) != 4 {
		t.Fatalf("repeat %+v %v, %d sent", again, err, len(q.Sent()))
	}
}

// A caller's key with another body conflicts and queues nothing.
func TestKeyConflict(t *testing.T) {
	s, q, _ := fixture(t, nil)
	sub := Submission{Request: alice(), Source: message.SourceAPI, Actor: "token:ops", Key: "idem:token:ops:k1", BodyHash: "h1"}
	if _, err := s.Submit(context.Background(), sub); err != nil {
		t.Fatal(err)
	}
	sub.BodyHash = "h2"
	if _, err := s.Submit(context.Background(), sub); !errors.Is(err, ErrConflict) || len(q.Sent()) != 4 {
		t.Fatalf("%v, %d sent", err, len(q.Sent()))
	}
}

// The ledger down: unavailable, and nothing is queued.
func TestLedgerDownQueuesNothing(t *testing.T) {
	s, q, store := fixture(t, nil)
	store.SetFailure(errors.New("throttled"))
	_, err := s.Submit(context.Background(), Submission{Request: alice(), Source: message.SourceAPI, Actor: "token:ops"})
	var ue *UnavailableError
	if !errors.As(err, &ue) || ue.Stage != "ledger" || len(q.Sent()) != 0 {
		t.Fatalf("%v, %d sent", err, len(q.Sent()))
	}
}

// A queue that refuses some entries: the caller learns which, and a repeat
// with the same key queues exactly those.
func TestRepeatQueuesWhatWasRefused(t *testing.T) {
	s, q, _ := fixture(t, nil)
	q.Refuse = func(_, i int, _ queue.Outgoing) bool { return i == 1 || i == 3 }
	sub := Submission{Request: alice(), Source: message.SourceSCIM, Actor: "scim:entra", Key: "scim:u1:deactivated:v1"}
	_, err := s.Submit(context.Background(), sub)
	var ue *UnavailableError
	if !errors.As(err, &ue) || ue.Stage != "queue" || len(ue.Queued) != 2 || len(ue.Missing) != 2 || len(q.Sent()) != 2 {
		t.Fatalf("%v, %d sent", err, len(q.Sent()))
	}
	q.Refuse = nil
	rc, err := s.Submit(context.Background(), sub)
	if err != nil || !rc.Repeat || rc.Accepted != 4 || len(q.Sent()) != 4 {
		t.Fatalf("%+v %v, %d sent", rc, err, len(q.Sent()))
	}
	seen := map[string]bool{}
	for _, m := range sent(t, q) {
		if seen[m.Connection] {
			t.Fatalf("%s queued twice", m.Connection)
		}
		seen[m.Connection] = true
	}
	rec, _ := s.Ledger.Load(context.Background(), rc.RequestID)
	if len(rec.Unqueued()) != 0 {
		t.Fatalf("still unqueued: %v", rec.Unqueued())
	}
}

// DRY_RUN makes every request a dry run, whoever makes it.
func TestShadowMode(t *testing.T) {
	s, q, _ := fixture(t, map[string]string{"DRY_RUN": "true"})
	if _, err := s.Submit(context.Background(), Submission{Request: alice(), Source: message.SourceAPI, Actor: "token:ops"}); err != nil {
		t.Fatal(err)
	}
	for _, m := range sent(t, q) {
		if !m.DryRun {
			t.Fatalf("not a dry run: %+v", m)
		}
	}
}

// Accepts: what the configuration still takes for a SCIM restore.
func TestAccepts(t *testing.T) {
	s, _, _ := fixture(t, map[string]string{"ALLOWED_EMAIL_DOMAINS": "example.com"})
	tests := []struct {
		name, connection, email string
		want                    bool
	}{
		{"configured, allowed domain", "wiki", "alice@example.com", true},
		{"a connection removed since", "old-wiki", "alice@example.com", false},
		{"a domain no longer allowed", "wiki", "alice@acquired.example", false},
		{"no address", "wiki", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.Accepts(tc.connection, tc.email); got != tc.want {
				t.Errorf("Accepts(%q, %q) = %v, want %v", tc.connection, tc.email, got, tc.want)
			}
		})
	}
}
