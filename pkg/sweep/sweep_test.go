package sweep

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/internal/storetest"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/secrets"
	"github.com/revoke-dev/revoke/pkg/submit"
)

func TestParseInput(t *testing.T) {
	for _, ok := range []string{
		``, `null`,
		`{"version":"0","id":"x","detail-type":"Scheduled Event","source":"aws.events","detail":{}}`,
		`{"dry_run":true}`,
		`{"dry_run":false,"redrive":{"max_messages":500,"min_age_seconds":900,"max_redrives":3},"inactive":[{"connection":"field-app","days":90},{"connection":"crm","where":"lastLogin < 1700000000000"}]}`,
	} {
		if _, err := ParseInput([]byte(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{
		`[]`, `{"dryrun":true}`, `{"redrive":{"max_messages":-1}}`,
		`{"inactive":[{"connection":"x"}]}`, `{"inactive":[{"connection":"x","days":9,"where":"a"}]}`,
		`{"inactive":[{"connection":"x","days":99999}]}`, `{"inactive":[{"connection":"x","where":"a\nb"}]}`,
	} {
		if _, err := ParseInput([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	in, _ := ParseInput([]byte(`{"redrive":{"min_age_seconds":0}}`))
	if m, a, r := in.limits(); m != DefaultMaxMessages || a != 0 || r != DefaultMaxRedrives {
		t.Errorf("limits %d %d %d", m, a, r)
	}
}

// env is a sweep on the embedded queue, the in-memory ledger and the
// simulators, on one settable clock.
type env struct {
	q       *inmem.Queue
	clock   *storetest.Clock
	sweeper *Sweeper
	ledger  *ledger.Ledger
	dir     *fakeDirectory
	secrets *inmem.Secrets
	*simulator.Fleet
}

const queueURL, dlqURL = "memory://revoke", "memory://revoke-dlq"

func newEnv(t *testing.T, reg *registry.Registry, connections string) *env {
	clock := storetest.NewClock(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	e := &env{q: inmem.NewQueueAt(clock.Now), clock: clock, Fleet: simulator.StartFleet(nil), dir: &fakeDirectory{}}
	t.Cleanup(e.Fleet.Close)
	store := &inmem.Secrets{}
	for conn, v := range e.Secrets(simulator.Uniform(simulator.Settings{RatePerSecond: 500})) {
		store.Put("revoke/"+conn, v)
	}
	store.Put("revoke/lister", `{}`)
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"CONNECTIONS": connections, "QUEUE_URL": queueURL, "DLQ_URL": dlqURL, "ALLOW_INSECURE_HTTP": "true",
			"DIRECTORY_SOURCES": "identitystore:d-1234567890"}[k]
	})
	if err == nil {
		err = reg.Check(cfg.Connections)
	}
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	e.ledger = ledger.New(inmem.NewStore(clock.Now), 400*24*time.Hour)
	e.ledger.Now = clock.Now
	e.secrets = store
	sub := &submit.Submitter{Config: cfg, Providers: reg, Ledger: e.ledger, Queue: e.q, Log: log, Now: clock.Now}
	e.sweeper = &Sweeper{Config: cfg, Providers: reg, Queue: e.q, Secrets: secrets.NewCache(store, time.Minute), Ledger: e.ledger, Submit: sub, Directory: e.dir, Log: log, Now: clock.Now}
	return e
}

func (e *env) run(t *testing.T, in string) *Result {
	t.Helper()
	r, err := e.sweeper.Handle(context.Background(), json.RawMessage(in))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (e *env) seedDLQ(t *testing.T, body string, attrs map[string]string) {
	t.Helper()
	if failed, err := e.q.SendBatch(context.Background(), dlqURL, []queue.Outgoing{{Body: body, Attributes: attrs}}); err != nil || len(failed) > 0 {
		t.Fatal(err)
	}
}

// contents lists a queue's live messages as "body|attrs", sorted, without
// receiving them.
func (e *env) contents(url string) []string {
	var out []string
	for _, m := range e.q.Peek(url) {
		var keys []string
		for k, v := range m.Attributes {
			keys = append(keys, k+"="+v)
		}
		sort.Strings(keys)
		out = append(out, m.Body+"|"+strings.Join(keys, ","))
	}
	sort.Strings(out)
	return out
}

func body(t *testing.T, id string) string {
	m := message.New(message.Header{RequestID: "3f6c1b2e-7d4a-4c1e-9b8f-2a5d6e7f8a90", Action: message.Revoke, RequestedAt: time.Now()}, message.Target{Connection: "crm", Provider: "backendless", UserID: id})
	s, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRedrive(t *testing.T) {
	e := newEnv(t, registry.Builtin(), simulator.FleetConnections())
	e.seedDLQ(t, body(t, "t1"), nil) // SQS redrive: transient
	e.seedDLQ(t, body(t, "t2"), map[string]string{"error_code": "exhausted", "error_message": "x", "connection": "crm"})
	e.seedDLQ(t, body(t, "u1"), map[string]string{"error_code": "unverified", "error_message": "read-back"})   // transient
	e.seedDLQ(t, body(t, "p1"), map[string]string{"error_code": "not_found", "error_message": "no such user"}) // permanent
	e.seedDLQ(t, body(t, "m1"), map[string]string{"redrive_count": "3"})                                       // too many re-drives

	r := e.run(t, `{"redrive":{"min_age_seconds":900}}`)
	if r.Redriven != 0 || r.Redrive.KeptTooYoung != 3 || r.Redrive.KeptPermanent != 1 || r.Redrive.KeptMaxRedrives != 1 {
		t.Fatalf("young run: %+v", r.Redrive)
	}
	e.clock.Add(time.Hour)
	before := e.contents(dlqURL)
	r = e.run(t, `{"dry_run":true,"redrive":{"min_age_seconds":900}}`)
	if r.Redriven != 3 || r.Kept != 2 || r.Redrive.Examined != 5 {
		t.Fatalf("dry run: %+v", r.Redrive)
	}
	// What a dry run looked at is visible again at once: a real run right
	// after it sees exactly what the dry run saw.
	if v, f := e.q.Stats(dlqURL); strings.Join(e.contents(dlqURL), "\n") != strings.Join(before, "\n") || v != 5 || f != 0 {
		t.Fatalf("dry run changed the DLQ (visible %d, in flight %d)", v, f)
	}
	if q := e.contents(queueURL); len(q) != 0 {
		t.Fatalf("dry run enqueued %v", q)
	}
	r = e.run(t, `{"redrive":{"max_messages":1,"min_age_seconds":900}}`)
	if r.Redrive.Examined != 1 {
		t.Fatalf("max_messages 1 examined %d", r.Redrive.Examined)
	}
	e.run(t, `{"redrive":{"min_age_seconds":900}}`)
	q := strings.Join(e.contents(queueURL), " ")
	if len(e.contents(queueURL)) != 3 || !strings.Contains(q, `"user_id":"t1"`) || !strings.Contains(q, "connection=crm,redrive_count=1") || strings.Contains(q, "error_code") {
		t.Fatalf("queue after re-drive: %v", e.contents(queueURL))
	}
	if d := strings.Join(e.contents(dlqURL), " "); len(e.contents(dlqURL)) != 2 || !strings.Contains(d, `"p1"`) || !strings.Contains(d, `"m1"`) {
		t.Fatalf("DLQ after re-drive: %v", d)
	}
	rec, err := e.ledger.Load(context.Background(), "3f6c1b2e-7d4a-4c1e-9b8f-2a5d6e7f8a90")
	if err == nil || rec != nil {
		// The request was never recorded (seeded by hand); the re-drive
		// attempts still are.
		t.Logf("%v", err)
	}
}

// A listing provider that stops halfway (the deadline): what it found is
// still made a request, and the sweep says it is incomplete.
type halfLister struct{}

func (halfLister) Revoke(context.Context, []provider.User) []provider.Result { return nil }
func (halfLister) List(_ context.Context, _ provider.ListQuery, fn func(provider.Account) bool) error {
	for i := range 150 {
		if !fn(provider.Account{ID: fmt.Sprintf("h-%03d", i), LastActive: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}) {
			return nil
		}
	}
	return provider.Transient("list", message.CodeTimeout, "not started: the invocation deadline is near")
}

func TestInactive(t *testing.T) {
	reg := registry.Builtin().With(registry.Define("half", func([]byte, rest.Options) (halfLister, error) { return halfLister{}, nil }))
	e := newEnv(t, reg, "field-app=journeyapps,crm=backendless,mendix=mendix,lister=half")
	now := e.clock.Now()
	old, recent := now.AddDate(0, 0, -200), now.AddDate(0, 0, -5)
	var want []string
	for i := range 250 { // three pages of 100
		u := simulator.User{ID: fmt.Sprintf("ja-%03d", i)}
		switch i % 5 {
		case 0:
			u.LastActive = old
			want = append(want, u.ID)
		case 1:
			u.LastActive, u.Disabled = old, true // locked already
		case 2:
			u.LastActive = recent
		case 3:
			u.Created = old // never connected, enrolled long ago
			want = append(want, u.ID)
		case 4: // never connected, no date: left alone
		}
		e.JA.Add(u)
	}
	var wantBL []string
	for i := range 130 {
		u := simulator.User{ID: fmt.Sprintf("BL-%03d", i), Email: fmt.Sprintf("u%d@example.com", i), LastActive: recent}
		if i%3 == 0 {
			u.LastActive = old
			wantBL = append(wantBL, u.ID)
		}
		if i%6 == 0 {
			u.Disabled = true
			wantBL = wantBL[:len(wantBL)-1]
		}
		e.BL.Add(u)
	}
	// Never signed in: selected when created before the cut-off, as on
	// JourneyApps (provider.ListQuery.Inactive); no date at all, left alone.
	e.BL.Add(simulator.User{ID: "BL-NEVER-OLD", Email: "never-old@example.com", Created: old})
	e.BL.Add(simulator.User{ID: "BL-NEVER-NEW", Email: "never-new@example.com", Created: recent})
	e.BL.Add(simulator.User{ID: "BL-NEVER-UNDATED", Email: "never-undated@example.com"})
	wantBL = append(wantBL, "BL-NEVER-OLD")
	in := `{"redrive":{"max_messages":0},"inactive":[{"connection":"field-app","days":90},{"connection":"crm","days":90},{"connection":"mendix","days":90}]}`
	r := e.run(t, strings.Replace(in, `"redrive"`, `"dry_run":true,"redrive"`, 1))
	if r.Found != len(want)+len(wantBL) || r.Enqueued != 0 || e.JA.Stats().Changes+e.BL.Stats().Changes != 0 || len(e.contents(queueURL)) != 0 {
		t.Fatalf("dry run: %+v", r.Inactive)
	}
	r = e.run(t, in)
	if r.Inactive[2].Status != StatusUnsupported || r.Inactive[0].Status != StatusOK || r.Inactive[1].Status != StatusOK {
		t.Fatalf("statuses %+v", r.Inactive)
	}
	if r.Enqueued != len(want)+len(wantBL) {
		t.Fatalf("enqueued %d, want %d (%+v)", r.Enqueued, len(want)+len(wantBL), r.Inactive)
	}
	var got []string
	for _, m := range e.q.Peek(queueURL) {
		msg, err := message.Decode(m.Body)
		if err != nil || msg.Action != message.Revoke || msg.Source != message.SourceSweep || msg.Actor != "sweep" || msg.Reason != "sweep: inactive 90 days" {
			t.Fatalf("message %s: %v", m.Body, err)
		}
		got = append(got, msg.UserID)
	}
	sort.Strings(got)
	all := append(append([]string{}, want...), wantBL...)
	sort.Strings(all)
	if strings.Join(got, ",") != strings.Join(all, ",") {
		t.Fatalf("enqueued\n%v\nwant\n%v", got, all)
	}
	// The sweep's requests are in the ledger, and a listed address finds
	// its person's history.
	rec, err := e.ledger.Load(context.Background(), r.Inactive[1].RequestID)
	if err != nil || rec.Request.Source != message.SourceSweep || len(rec.Targets) != len(wantBL) {
		t.Fatalf("%+v %v", rec, err)
	}
	if h, _, _ := e.ledger.History(context.Background(), "u3@example.com", "", 10); len(h) != 1 {
		t.Fatalf("history of a listed address: %+v", h)
	}
	// A listing cut short by the deadline still makes a request of what it found.
	r = e.run(t, `{"redrive":{"max_messages":0},"inactive":[{"connection":"lister","days":30}]}`)
	if r.Complete || r.Inactive[0].Status != StatusIncomplete || r.Inactive[0].Found != 150 || r.Inactive[0].Enqueued != 150 {
		t.Fatalf("%+v", r.Inactive[0])
	}
}

type fakeDirectory struct {
	users []directory.User
	err   error
}

func (f *fakeDirectory) Lookup(context.Context, directory.Source, string) (*directory.User, error) {
	return nil, directory.ErrNotFound
}

// ListPage serves every user on one page, or fails with err.
func (f *fakeDirectory) ListPage(context.Context, directory.Source, string) ([]directory.User, string, error) {
	if f.err != nil {
		return nil, "", f.err
	}
	return f.users, "", nil
}

// Every run, a dry run and a plain Scheduled Event included, snapshots the
// followed directories; one that cannot be listed keeps its snapshot.
func TestSnapshot(t *testing.T) {
	e := newEnv(t, registry.Builtin(), simulator.FleetConnections())
	e.dir.users = []directory.User{{ID: "u1", Emails: []string{"a@example.com"}}, {ID: "u2", Emails: []string{"b@example.com"}}}
	r := e.run(t, `{"version":"0","detail-type":"Scheduled Event","source":"aws.events","detail":{}}`)
	if len(r.Snapshots) != 1 || r.Snapshots[0].Users != 2 || r.Snapshots[0].Status != StatusOK {
		t.Fatalf("%+v", r.Snapshots)
	}
	e.dir.users, e.dir.err = nil, fmt.Errorf("ThrottlingException")
	e.clock.Add(3 * 24 * time.Hour)
	r = e.run(t, `{"dry_run":true}`)
	if r.Snapshots[0].Status != StatusIncomplete || r.Complete {
		t.Fatalf("%+v", r.Snapshots)
	}
	if u, _ := e.ledger.DirectoryUser(context.Background(), "identitystore:d-1234567890", "u2"); u == nil || u.Emails[0] != "b@example.com" {
		t.Fatal("a failed listing lost the previous snapshot")
	}
}

// The backstop: a request whose targets stayed unqueued 5 minutes gets
// them queued by the sweep, once.
func TestRequeue(t *testing.T) {
	e := newEnv(t, registry.Builtin(), simulator.FleetConnections())
	r := ledger.Request{ID: message.NewID(), Action: message.Revoke, Source: message.SourceAPI, Actor: "token:x", RequestedAt: e.clock.Now()}
	ts := []ledger.Target{ledger.TargetOf(message.Target{Connection: "crm", Provider: "backendless", UserID: "BL-1"}),
		ledger.TargetOf(message.Target{Connection: "wiki", Provider: "scim", Email: "a@example.com", Fanout: true})}
	if err := e.ledger.CreateRequest(context.Background(), r, ts); err != nil {
		t.Fatal(err)
	}
	if res := e.run(t, `{}`); res.Requeued != 0 {
		t.Fatal("a young request was queued by the sweep")
	}
	e.clock.Add(6 * time.Minute)
	if res := e.run(t, `{}`); res.Requeued != 2 || len(e.q.Peek(queueURL)) != 2 {
		t.Fatalf("%+v", res)
	}
	if res := e.run(t, `{}`); res.Requeued != 0 || len(e.q.Peek(queueURL)) != 2 {
		t.Fatal("queued twice")
	}
	m, _ := message.Decode(e.q.Peek(queueURL)[1].Body)
	if m.RequestID != r.ID || m.Actor != "token:x" {
		t.Fatalf("%+v", m)
	}
}
