package trigger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/request"
	"github.com/revoke-dev/revoke/pkg/submit"
)

func sample(t testing.TB, name string) events.EventBridgeEvent {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.EventBridgeEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

var opts = Options{
	Account:        "123456789012",
	OktaEventTypes: []string{"user.lifecycle.deactivate", "user.lifecycle.suspend"},
	Auth0LogTypes:  []string{"sdu"},
	Directories:    []directory.Source{{Type: "identitystore", ID: "d-9067642ac7"}, {Type: "cognito", ID: "us-east-1_AbCdEfGhI"}},
}

// Each source's documented sample parses into what it names.
func TestSamples(t *testing.T) {
	for file, want := range map[string]Event{
		"trigger-okta-deactivate.json":            {Source: message.SourceOkta, Key: "okta:8f0a6f2c-a9f1-11ef-8a40-6d7e5e2b7a10", People: []submit.Person{{ID: "00u1carol", Emails: []string{"carol@example.com"}}}},
		"trigger-auth0-sdu.json":                  {Source: message.SourceAuth0, Key: "auth0:90020261123190002123456789012345678901234567890123", People: []submit.Person{{ID: "waad|5f7c8ec7c33c6c004bbafe82", Emails: []string{"dave@example.com"}}}},
		"trigger-identitycenter-disableuser.json": {Source: message.SourceIdentityCenter, Key: "cloudtrail:e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b", UserID: "906722b2be-1c2a3b4c-5d6e-7f80-9a1b-2c3d4e5f6a7b"},
		"trigger-identitycenter-deleteuser.json":  {Source: message.SourceIdentityCenter, Key: "cloudtrail:f2a3b4c5-d6e7-4f80-9a0b-1c2d3e4f5a6c", UserID: "906722b2be-deleted0-5d6e-7f80-9a1b-2c3d4e5f6a7c"},
		"trigger-cognito-admindisableuser.json":   {Source: message.SourceCognito, Key: "cloudtrail:a3b4c5d6-e7f8-4091-8a1b-2c3d4e5f6a7d", UserID: "8b3e7f2a-6c1d-4e5f-9a0b-7c8d9e0f1a2b"},
	} {
		e, err := Parse(sample(t, file), opts)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if e.Source != want.Source || e.Key != want.Key || fmt.Sprint(e.People) != fmt.Sprint(want.People) || e.UserID != want.UserID || e.At.IsZero() {
			t.Errorf("%s: %+v", file, e)
		}
	}
}

// mutate returns a sample with its detail changed by fn.
func mutate(t *testing.T, file string, fn func(d map[string]any)) events.EventBridgeEvent {
	ev := sample(t, file)
	var d map[string]any
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		t.Fatal(err)
	}
	fn(d)
	ev.Detail, _ = json.Marshal(d)
	return ev
}

// Hostile and irrelevant variants: a clear "ignored", never a request.
func TestIgnored(t *testing.T) {
	huge := sample(t, "trigger-okta-deactivate.json")
	huge.Detail = []byte(`{"x":"` + strings.Repeat("a", MaxDetailBytes) + `"}`)
	other := sample(t, "trigger-okta-deactivate.json")
	other.Source = "aws.partner/evil.com/x"
	for name, ev := range map[string]events.EventBridgeEvent{
		"okta failure":       mutate(t, "trigger-okta-deactivate.json", func(d map[string]any) { d["outcome"] = map[string]any{"result": "FAILURE"} }),
		"okta other type":    mutate(t, "trigger-okta-deactivate.json", func(d map[string]any) { d["eventType"] = "user.session.start" }),
		"okta no outcome":    mutate(t, "trigger-okta-deactivate.json", func(d map[string]any) { delete(d, "outcome") }),
		"okta target object": mutate(t, "trigger-okta-deactivate.json", func(d map[string]any) { d["target"] = map[string]any{"id": "x"} }),
		"okta group target": mutate(t, "trigger-okta-deactivate.json", func(d map[string]any) {
			d["target"] = []any{map[string]any{"type": "UserGroup", "alternateId": "g@example.com"}}
		}),
		"okta no uuid":          mutate(t, "trigger-okta-deactivate.json", func(d map[string]any) { delete(d, "uuid") }),
		"auth0 login":           mutate(t, "trigger-auth0-sdu.json", func(d map[string]any) { d["data"].(map[string]any)["type"] = "s" }),
		"auth0 data array":      mutate(t, "trigger-auth0-sdu.json", func(d map[string]any) { d["data"] = []any{1} }),
		"auth0 no log id":       mutate(t, "trigger-auth0-sdu.json", func(d map[string]any) { delete(d, "log_id"); delete(d["data"].(map[string]any), "log_id") }),
		"cloudtrail error":      mutate(t, "trigger-identitycenter-disableuser.json", func(d map[string]any) { d["errorCode"] = "AccessDenied" }),
		"cloudtrail other call": mutate(t, "trigger-identitycenter-disableuser.json", func(d map[string]any) { d["eventName"] = "CreateUser" }),
		"other store":           mutate(t, "trigger-identitycenter-disableuser.json", func(d map[string]any) { d["requestParameters"].(map[string]any)["identityStoreId"] = "d-0000000000" }),
		"other pool":            mutate(t, "trigger-cognito-admindisableuser.json", func(d map[string]any) { d["requestParameters"].(map[string]any)["userPoolId"] = "us-east-1_Other" }),
		"params array":          mutate(t, "trigger-identitycenter-disableuser.json", func(d map[string]any) { d["requestParameters"] = []any{} }),
		"huge":                  huge,
		"unknown source":        other,
		"cloudtrail from a custom source": func() events.EventBridgeEvent {
			ev := sample(t, "trigger-identitycenter-disableuser.json")
			ev.Source = "custom.revoke"
			return ev
		}(),
		"cloudtrail source of another service": func() events.EventBridgeEvent {
			ev := sample(t, "trigger-cognito-admindisableuser.json")
			ev.Source = "aws.sso-directory"
			return ev
		}(),
		"cloudtrail on a partner source": func() events.EventBridgeEvent {
			ev := sample(t, "trigger-identitycenter-disableuser.json")
			ev.Source = "aws.partner/okta.com/x"
			return ev
		}(),
		"cloudtrail of another account": func() events.EventBridgeEvent {
			ev := sample(t, "trigger-identitycenter-disableuser.json")
			ev.AccountID = "999999999999"
			return ev
		}(),
	} {
		if e, err := Parse(ev, opts); !errors.As(err, new(*Ignored)) {
			t.Errorf("%s: %+v %v", name, e, err)
		}
	}
}

// People named without a usable address or id are unresolved, not
// ignored (before: a CloudTrail event without a usable user id was
// "ignored").
func TestUnresolvedPeople(t *testing.T) {
	for _, tc := range []struct {
		name string
		ev   events.EventBridgeEvent
		want string // id=emails/why of each person
	}{
		{"okta target without an address", mutate(t, "trigger-okta-deactivate.json", func(d map[string]any) {
			d["target"] = []any{map[string]any{"id": "00uX", "type": "User", "alternateId": "carol"}, map[string]any{"id": "00uY", "type": "User", "alternateId": "y@example.com"}}
		}), "00uX=[carol]/ 00uY=[y@example.com]/"},
		{"auth0 phone number", mutate(t, "trigger-auth0-sdu.json", func(d map[string]any) { d["data"].(map[string]any)["user_name"] = "+15551234567" }),
			"waad|5f7c8ec7c33c6c004bbafe82=[]/"},
		{"identity center without a user id", mutate(t, "trigger-identitycenter-disableuser.json", func(d map[string]any) { delete(d["requestParameters"].(map[string]any), "userId") }),
			"?=[]/the event names no usable user id"},
		{"cognito without a sub", mutate(t, "trigger-cognito-admindisableuser.json", func(d map[string]any) { delete(d, "additionalEventData") }),
			"?=[]/the event names no usable user id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse(tc.ev, opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range e.People {
				got = append(got, fmt.Sprintf("%s=%v/%s", p.ID, p.Emails, p.Why))
			}
			if strings.Join(got, " ") != tc.want {
				t.Fatalf("%q", got)
			}
		})
	}
	// The other Auth0 layout: detail is the log itself.
	ev := sample(t, "trigger-auth0-sdu.json")
	ev.Detail = []byte(`{"log_id":"L1","type":"sdu","user_name":"erin@example.com","user_id":"auth0|e","email_verified":true}`)
	if e, err := Parse(ev, opts); err != nil || e.Key != "auth0:L1" || e.People[0].Emails[0] != "erin@example.com" {
		t.Fatalf("%+v %v", e, err)
	}
}

// A CloudTrail event naming nobody revoke can look up is recorded
// unresolved, with its directory, and queues nothing.
func TestCloudTrailWithoutUserID(t *testing.T) {
	w := newWorld(t)
	ev := mutate(t, "trigger-cognito-admindisableuser.json", func(d map[string]any) { delete(d, "additionalEventData") })
	res, err := w.h.Handle(context.Background(), ev)
	if err != nil || res.Outcome != "unresolved" || len(w.q.Sent()) != 0 || w.dir.calls != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	un, _, _ := w.ledger.ListUnresolved(context.Background(), "", 10)
	if len(un) != 1 || un[0].Directory != "cognito:us-east-1_AbCdEfGhI" || !strings.Contains(un[0].Reason, "no usable user id") {
		t.Fatalf("%+v", un)
	}
}

// fakeDirectory serves users by id; err makes every call fail (a throttle).
type fakeDirectory struct {
	mu    sync.Mutex
	users map[string]directory.User
	err   error
	calls int
}

func (f *fakeDirectory) Lookup(_ context.Context, _ directory.Source, id string) (*directory.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	u, ok := f.users[id]
	if !ok {
		return nil, directory.ErrNotFound
	}
	return &u, nil
}

func (f *fakeDirectory) ListPage(context.Context, directory.Source, string) ([]directory.User, string, error) {
	return nil, "", nil // the trigger only looks users up
}

type world struct {
	h      *Handler
	q      *inmem.Sender
	dir    *fakeDirectory
	ledger *ledger.Ledger
	log    *bytes.Buffer
}

func newWorld(t *testing.T) *world {
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"CONNECTIONS": "field-app=journeyapps,crm=backendless,mendix=mendix,wiki=scim", "QUEUE_URL": "q",
			"DIRECTORY_SOURCES": "identitystore:d-9067642ac7,cognito:us-east-1_AbCdEfGhI", "TRIGGER_CONNECTIONS": "crm,wiki"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	w := &world{q: &inmem.Sender{}, dir: &fakeDirectory{users: map[string]directory.User{}}, ledger: ledger.New(inmem.NewStore(nil), time.Hour), log: &log}
	l := audit.NewLogger(&log, 0)
	w.h = &Handler{Events: eventsOf(cfg), Submit: &submit.Submitter{Config: cfg, Ledger: w.ledger, Queue: w.q, Log: l, Metrics: &log}, Ledger: w.ledger, Directory: w.dir, Log: l}
	return w
}

// A disable resolves the user live (and remembers it), fans out to
// TRIGGER_CONNECTIONS, and a redelivery makes nothing more; the actor and
// source are the event's.
func TestDisableResolvesAndDedupes(t *testing.T) {
	w := newWorld(t)
	w.dir.users["906722b2be-1c2a3b4c-5d6e-7f80-9a1b-2c3d4e5f6a7b"] = directory.User{ID: "906722b2be-1c2a3b4c-5d6e-7f80-9a1b-2c3d4e5f6a7b", Emails: []string{"frank@example.com"}}
	ev := sample(t, "trigger-identitycenter-disableuser.json")
	res, err := w.h.Handle(context.Background(), ev)
	if err != nil || res.Outcome != "requested" || res.Accepted != 2 || len(w.q.Sent()) != 2 {
		t.Fatalf("%+v %v, %d sent", res, err, len(w.q.Sent()))
	}
	m, _ := message.Decode(w.q.Sent()[0].Body)
	if m.Source != message.SourceIdentityCenter || m.Actor != "identity-center" || !strings.Contains(m.Reason, "DisableUser") || !m.Fanout {
		t.Fatalf("%+v", m)
	}
	if res, err := w.h.Handle(context.Background(), ev); err != nil || res.Outcome != "repeat" || len(w.q.Sent()) != 2 {
		t.Fatalf("redelivery: %+v %v, %d sent", res, err, len(w.q.Sent()))
	}
	snap, _ := w.ledger.DirectoryUser(context.Background(), "identitystore:d-9067642ac7", "906722b2be-1c2a3b4c-5d6e-7f80-9a1b-2c3d4e5f6a7b")
	if snap == nil || snap.Emails[0] != "frank@example.com" {
		t.Fatalf("the resolved user was not recorded: %+v", snap)
	}
	rec, _ := w.ledger.Load(context.Background(), res.RequestID)
	if rec.Request.Source != message.SourceIdentityCenter || rec.Request.Actor != "identity-center" || rec.Request.Key != res.Key {
		t.Fatalf("%+v", rec.Request)
	}
}

// A deleted user cannot be described: it is resolved from the snapshot,
// or recorded as unresolved (ledger, ERROR line, metric) with nothing
// queued and no error (it is not retried).
func TestDeleteFromSnapshotOrUnresolved(t *testing.T) {
	w := newWorld(t)
	ev := sample(t, "trigger-identitycenter-deleteuser.json")
	res, err := w.h.Handle(context.Background(), ev)
	if err != nil || res.Outcome != "unresolved" || len(w.q.Sent()) != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	un, _, _ := w.ledger.ListUnresolved(context.Background(), "", 10)
	if len(un) != 1 || un[0].UserID != "906722b2be-deleted0-5d6e-7f80-9a1b-2c3d4e5f6a7c" || un[0].Directory != "identitystore:d-9067642ac7" || un[0].EventID == "" {
		t.Fatalf("%+v", un)
	}
	if !strings.Contains(w.log.String(), `"level":"ERROR"`) || !strings.Contains(w.log.String(), `"unresolved":1`) {
		t.Fatalf("logs: %s", w.log.String())
	}
	if _, err := w.h.Handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if un, _, _ := w.ledger.ListUnresolved(context.Background(), "", 10); len(un) != 1 {
		t.Fatalf("a redelivery recorded it again: %d", len(un))
	}
	// After a snapshot, the same delete resolves.
	w2 := newWorld(t)
	if err := w2.ledger.PutDirectoryUsers(context.Background(), []ledger.DirectoryUser{{Directory: "identitystore:d-9067642ac7", UserID: "906722b2be-deleted0-5d6e-7f80-9a1b-2c3d4e5f6a7c", Emails: []string{"gina@example.com"}}}); err != nil {
		t.Fatal(err)
	}
	res, err = w2.h.Handle(context.Background(), ev)
	if err != nil || res.Outcome != "requested" || len(w2.q.Sent()) != 2 {
		t.Fatalf("%+v %v", res, err)
	}
}

// A throttled directory is an error (Lambda retries the event); nothing
// is recorded or queued.
func TestTransientFailureIsAnError(t *testing.T) {
	w := newWorld(t)
	w.dir.err = errors.New("ThrottlingException: rate exceeded")
	if _, err := w.h.Handle(context.Background(), sample(t, "trigger-cognito-admindisableuser.json")); err == nil || len(w.q.Sent()) != 0 {
		t.Fatalf("%v, %d sent", err, len(w.q.Sent()))
	}
	if un, _, _ := w.ledger.ListUnresolved(context.Background(), "", 10); len(un) != 0 {
		t.Fatal("a transient failure was recorded as unresolved")
	}
}

// The same Okta event by hook and by stream is one request: the key is
// the uuid's either way.
func TestOktaStreamKeyMatchesHook(t *testing.T) {
	w := newWorld(t)
	hook := submit.Submission{Request: request.ForEvent(message.Revoke, []string{"carol@example.com"}, nil, "okta hook"), Source: message.SourceOkta,
		Actor: "token:okta-prod", Key: "okta:8f0a6f2c-a9f1-11ef-8a40-6d7e5e2b7a10"}
	if _, err := w.h.Submit.Submit(context.Background(), hook); err != nil {
		t.Fatal(err)
	}
	sent := len(w.q.Sent())
	res, err := w.h.Handle(context.Background(), sample(t, "trigger-okta-deactivate.json"))
	if err != nil || res.Outcome != "repeat" || len(w.q.Sent()) != sent {
		t.Fatalf("%+v %v", res, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, file := range []string{"trigger-okta-deactivate.json", "trigger-auth0-sdu.json", "trigger-identitycenter-disableuser.json", "trigger-cognito-admindisableuser.json"} {
		ev := sample(f, file)
		f.Add(ev.Source, ev.DetailType, []byte(ev.Detail))
	}
	f.Fuzz(func(t *testing.T, source, detailType string, detail []byte) {
		e, err := Parse(events.EventBridgeEvent{Source: source, DetailType: detailType, Detail: detail}, opts)
		if err != nil {
			if !errors.As(err, new(*Ignored)) {
				t.Fatalf("an error that is not Ignored: %v", err)
			}
			return
		}
		if e.Key == "" || (len(e.People) == 0 && e.UserID == "") {
			t.Fatalf("an event asking nothing: %+v", e)
		}
		for _, p := range e.People {
			if message.CheckText(p.ID) != nil {
				t.Fatalf("unsafe id %q", p.ID)
			}
		}
		if message.CheckText(e.Key) != nil {
			t.Fatalf("unsafe key %q", e.Key)
		}
	})
}

// BenchmarkHandle is the trigger's cost per event (parse, resolve, record,
// queue) on in-memory peers.
func BenchmarkHandle(b *testing.B) {
	cfg, _ := config.Load(func(k string) string {
		return map[string]string{"CONNECTIONS": "field-app=journeyapps,crm=backendless,mendix=mendix,wiki=scim", "QUEUE_URL": "q", "DIRECTORY_SOURCES": "identitystore:d-9067642ac7"}[k]
	})
	led := ledger.New(inmem.NewStore(nil), time.Hour)
	dir := &fakeDirectory{users: map[string]directory.User{"906722b2be-1c2a3b4c-5d6e-7f80-9a1b-2c3d4e5f6a7b": {Emails: []string{"frank@example.com"}}}}
	l := audit.NewLogger(bytes.NewBuffer(nil), 0)
	h := &Handler{Events: eventsOf(cfg), Submit: &submit.Submitter{Config: cfg, Ledger: led, Queue: &inmem.Sender{}, Log: l}, Ledger: led, Directory: dir, Log: l}
	ev := sample(b, "trigger-identitycenter-disableuser.json")
	var d map[string]any
	_ = json.Unmarshal(ev.Detail, &d)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		d["eventID"] = "bench-" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + time.Now().Format("150405.000000000")
		ev.Detail, _ = json.Marshal(d)
		if res, err := h.Handle(context.Background(), ev); err != nil || res.Outcome != "requested" {
			b.Fatal(res, err)
		}
	}
}
