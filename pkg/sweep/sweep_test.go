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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/revoke-dev/revoke/pkg/awstest"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/secrets"
	"github.com/revoke-dev/revoke/pkg/simulator"
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

type env struct {
	aws      *awstest.Env
	sweeper  *Sweeper
	queueURL string
	dlqURL   string
	*simulator.Fleet
}

func newEnv(t *testing.T) *env {
	e := &env{aws: awstest.New(t)}
	e.queueURL = e.aws.Queue(t, "sweep-q", nil)
	e.dlqURL = e.aws.Queue(t, "sweep-dlq", nil)
	e.Fleet = simulator.StartFleet(nil)
	t.Cleanup(e.Fleet.Close)
	store := &secrets.Memory{}
	for conn, v := range e.Secrets(simulator.Uniform(simulator.Settings{RatePerSecond: 500})) {
		store.Put("revoke/"+conn, v)
	}
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"CONNECTIONS": "field-app=journeyapps,crm=backendless,mendix=mendix",
			"QUEUE_URL": e.queueURL, "DLQ_URL": e.dlqURL, "ALLOW_INSECURE_HTTP": "true"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	e.sweeper = &Sweeper{Config: cfg, Queue: &queue.SQS{API: e.aws.SQS}, Secrets: store, Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
	return e
}

func (e *env) run(t *testing.T, in string, now time.Time) *Result {
	t.Helper()
	e.sweeper.Now = func() time.Time { return now }
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r, err := e.sweeper.Handle(ctx, json.RawMessage(in))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (e *env) seedDLQ(t *testing.T, body string, attrs map[string]string) {
	t.Helper()
	ma := map[string]sqstypes.MessageAttributeValue{}
	for k, v := range attrs {
		ma[k] = sqstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	if _, err := e.aws.SQS.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: &e.dlqURL, MessageBody: &body, MessageAttributes: ma}); err != nil {
		t.Fatal(err)
	}
}

// snapshot receives everything and makes it visible again, returning
// "body|attrs" strings, sorted.
func (e *env) snapshot(t *testing.T, url string) []string {
	t.Helper()
	var out []string
	for _, m := range e.aws.Drain(t, url) {
		var keys []string
		for k, v := range m.MessageAttributes {
			keys = append(keys, k+"="+*v.StringValue)
		}
		sort.Strings(keys)
		out = append(out, *m.Body+"|"+strings.Join(keys, ","))
		if _, err := e.aws.SQS.ChangeMessageVisibility(context.Background(), &sqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(out)
	return out
}

func TestIntegrationRedrive(t *testing.T) {
	e := newEnv(t)
	e.seedDLQ(t, `{"t":1}`, nil)                                                                                     // SQS redrive: transient
	e.seedDLQ(t, `{"t":2}`, map[string]string{"error_code": "exhausted", "error_message": "x", "connection": "crm"}) // transient
	e.seedDLQ(t, `{"p":1}`, map[string]string{"error_code": "not_found", "error_message": "no such user"})           // permanent
	e.seedDLQ(t, `{"m":1}`, map[string]string{"redrive_count": "3"})                                                 // too many redrives
	now := time.Now()

	r := e.run(t, `{"redrive":{"min_age_seconds":900}}`, now)
	if r.Redriven != 0 || r.Redrive.KeptTooYoung != 2 || r.Redrive.KeptPermanent != 1 || r.Redrive.KeptMaxRedrives != 1 {
		t.Fatalf("young run: %+v", r.Redrive)
	}
	later := now.Add(time.Hour)
	before := e.snapshot(t, e.dlqURL)
	r = e.run(t, `{"dry_run":true,"redrive":{"min_age_seconds":900}}`, later)
	if r.Redriven != 2 || r.Kept != 2 || r.Redrive.Examined != 4 {
		t.Fatalf("dry run: %+v", r.Redrive)
	}
	if after := e.snapshot(t, e.dlqURL); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Fatalf("dry run changed the DLQ:\n%v\n%v", before, after)
	}
	if q := e.snapshot(t, e.queueURL); len(q) != 0 {
		t.Fatalf("dry run enqueued %v", q)
	}
	r = e.run(t, `{"redrive":{"max_messages":1,"min_age_seconds":900}}`, later)
	if r.Redrive.Examined != 1 {
		t.Fatalf("max_messages 1 examined %d", r.Redrive.Examined)
	}
	r = e.run(t, `{"redrive":{"min_age_seconds":900}}`, later)
	// max_messages 1 may have re-driven one already; together exactly two moved.
	q := e.snapshot(t, e.queueURL)
	if len(q) != 2 || !strings.Contains(strings.Join(q, " "), `{"t":1}|redrive_count=1`) || !strings.Contains(strings.Join(q, " "), `{"t":2}|connection=crm,redrive_count=1`) {
		t.Fatalf("queue after re-drive: %v (result %+v)", q, r.Redrive)
	}
	if d := e.snapshot(t, e.dlqURL); len(d) != 2 || !strings.HasPrefix(d[0], `{"m":1}`) || !strings.HasPrefix(d[1], `{"p":1}`) {
		t.Fatalf("DLQ after re-drive: %v", d)
	}
}

func TestIntegrationInactive(t *testing.T) {
	e := newEnv(t)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
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
	in := `{"redrive":{"max_messages":0},"inactive":[{"connection":"field-app","days":90},{"connection":"crm","days":90},{"connection":"mendix","days":90}]}`
	before := len(e.JA.Stats().Calls) + len(e.BL.Stats().Calls)
	r := e.run(t, strings.Replace(in, `"redrive"`, `"dry_run":true,"redrive"`, 1), now)
	if r.Found != len(want)+len(wantBL) || r.Enqueued != 0 || e.JA.Stats().Changes+e.BL.Stats().Changes != 0 {
		t.Fatalf("dry run: %+v", r.Inactive)
	}
	if q := e.snapshot(t, e.queueURL); len(q) != 0 {
		t.Fatal("dry run enqueued")
	}
	r = e.run(t, in, now)
	if r.Inactive[2].Status != StatusUnsupported || r.Inactive[0].Status != StatusOK || r.Inactive[1].Status != StatusOK {
		t.Fatalf("statuses %+v", r.Inactive)
	}
	if r.Enqueued != len(want)+len(wantBL) || e.JA.Stats().ByRoute["list"] < 3+3 {
		t.Fatalf("enqueued %d, want %d (%+v); list calls %d", r.Enqueued, len(want)+len(wantBL), r.Inactive, e.JA.Stats().ByRoute["list"]-before)
	}
	var got []string
	for _, m := range e.aws.Drain(t, e.queueURL) {
		msg, err := message.Decode(*m.Body)
		if err != nil || msg.Action != message.Revoke || msg.Source != "sweep" || msg.Reason != "sweep: inactive 90 days" {
			t.Fatalf("message %s: %v", *m.Body, err)
		}
		got = append(got, msg.UserID)
	}
	sort.Strings(got)
	all := append(append([]string{}, want...), wantBL...)
	sort.Strings(all)
	if strings.Join(got, ",") != strings.Join(all, ",") {
		t.Fatalf("enqueued\n%v\nwant\n%v", got, all)
	}
}

// TestDeadlineStopsAndReports: a sweep that cannot finish says how far it
// got (incomplete) instead of running past its invocation.
func TestDeadlineStopsAndReports(t *testing.T) {
	f := simulator.StartFleet(map[string]simulator.Options{"journeyapps": {Latency: 300 * time.Millisecond}})
	defer f.Close()
	ja := f.JA
	for i := range 450 {
		ja.Add(simulator.User{ID: fmt.Sprintf("ja-%03d", i), LastActive: time.Now().AddDate(-1, 0, 0)})
	}
	store := &secrets.Memory{}
	store.Put("revoke/field-app", f.Secret("field-app", simulator.Settings{RatePerSecond: 100}))
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"CONNECTIONS": "field-app=journeyapps", "QUEUE_URL": "q", "DLQ_URL": "dlq", "ALLOW_INSECURE_HTTP": "true"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &Sweeper{Config: cfg, Queue: queue.NewMemory(), Secrets: store, Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
	ctx, cancel := context.WithTimeout(context.Background(), 1200*time.Millisecond)
	defer cancel()
	r, err := s.Handle(ctx, json.RawMessage(`{"redrive":{"max_messages":0},"inactive":[{"connection":"field-app","days":30}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.Complete || r.Inactive[0].Status != StatusIncomplete || r.Inactive[0].Listed == 0 || r.Inactive[0].Listed == 450 {
		t.Fatalf("%+v", r.Inactive[0])
	}
	if r.Inactive[0].Enqueued != r.Inactive[0].Found {
		t.Fatalf("what was found before the deadline must still be enqueued: %+v", r.Inactive[0])
	}
}
