package consumer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/providertest"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/message"
)

func TestOutcomesGoToTheRightPlace(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.JA.Add(simulator.User{ID: "ja-1"}, simulator.User{ID: "ja-2"}, simulator.User{ID: "ja-3", Email: "carol@example.com"})
	w.BL.Add(simulator.User{ID: "BL-1", Email: "bob@example.com"})
	w.MX.Add(simulator.User{ID: "6f1e7f5e-0001", Email: "alice@example.com"})
	w.SC.Add(simulator.User{ID: "sc-1", Email: "dave@example.com"})
	restore := msg("mendix", "mendix", "6f1e7f5e-0001", "")
	restore.Action = message.Restore
	fan := msg("wiki", "scim", "", "nobody@example.com")
	fan.Fanout = true
	bodies := []any{
		msg("field-app", "journeyapps", "ja-1", ""),              // m0 done
		msg("field-app", "journeyapps", "ja-404", ""),            // m1 not found → DLQ
		msg("field-app", "journeyapps", "", "carol@example.com"), // m2 done by email
		msg("crm", "backendless", "", "bob@example.com"),         // m3 done
		msg("mendix", "mendix", "", "alice@example.com"),         // m4 done
		msg("wiki", "scim", "", "dave@example.com"),              // m5 done
		`{"v":1,"action":"revoke"`,                               // m6 malformed → DLQ invalid
		msg("gone", "scim", "x", ""),                             // m7 unknown connection → DLQ config
		restore,                                                  // m8 unsupported → DLQ
		fan,                                                      // m9 no account
		msg("wiki", "scim", "", "ghost@example.com"),             // m10 explicit email, no user → DLQ not_found
		msg("field-app", "journeyapps", "ja-2", ""),              // m11 done (same batch request)
		strings.Replace(mustEncode(t, msg("crm", "backendless", "BL-1", "")), `"revoke"`, `"delete"`, 1), // m12 unknown action → DLQ invalid
	}
	ev := event(t, bodies...)
	dlq := &fakeDLQ{}
	resp, err := w.consumer(dlq).Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 0 {
		t.Errorf("unexpected retries: %+v", resp.BatchItemFailures)
	}
	for _, id := range []string{"ja-1", "ja-2", "ja-3"} {
		if u, _ := w.JA.User(id); !u.Disabled {
			t.Errorf("%s not locked", id)
		}
	}
	if u, _ := w.BL.User("BL-1"); !u.Disabled {
		t.Error("backendless user not disabled")
	}
	if u, _ := w.MX.User("6f1e7f5e-0001"); !u.Disabled {
		t.Error("mendix user not deactivated")
	}
	if u, _ := w.SC.User("sc-1"); !u.Disabled {
		t.Error("scim user not deactivated")
	}
	if n := w.JA.Stats().ByRoute["batch"]; n != 1 {
		t.Errorf("journeyapps: %d batch requests, want 1", n)
	}
	got := dlq.byBody()
	want := map[int][2]string{1: {"not_found", "404"}, 6: {"invalid", ""}, 7: {"config", ""}, 8: {"unsupported", ""}, 10: {"not_found", ""}, 12: {"invalid", ""}}
	if len(got) != len(want) {
		t.Errorf("DLQ holds %d messages, want %d: %v", len(got), len(want), got)
	}
	for i, wnt := range want {
		a, ok := got[ev.Records[i].Body]
		if !ok {
			t.Errorf("m%d not in the DLQ with its original body", i)
			continue
		}
		if a["error_code"] != wnt[0] || a["http_status"] != wnt[1] || a["error_message"] == "" {
			t.Errorf("m%d attributes %v, want code %s status %q", i, a, wnt[0], wnt[1])
		}
		if i != 6 && i != 12 && (a["connection"] == "" || a["provider"] == "") {
			t.Errorf("m%d attributes lack connection/provider: %v", i, a)
		}
	}
	logs := w.log.String()
	for _, sec := range w.Credentials() {
		if strings.Contains(logs, sec) {
			t.Fatalf("a secret reached the logs")
		}
	}
	for _, want := range []string{`"outcome":"no_account"`, `"_aws"`, `"provider_call_ms"`, `"request_id":"` + testRequest, `"verified":true`, `"verified":null`, `"actor":"token:test"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s", want)
		}
	}
	out := w.outcomes(t)
	for key, o := range map[string]message.Outcome{"u:ja-1#field-app": message.Done, "u:ja-404#field-app": message.Failed, "e:nobody@example.com#wiki": message.NoAccount,
		"e:carol@example.com#field-app": message.Done, "u:6f1e7f5e-0001#mendix": message.Failed} {
		if out[key].Outcome != o {
			t.Errorf("ledger %s: %+v, want %s", key, out[key], o)
		}
	}
	if st := out["e:carol@example.com#field-app"]; strings.Join(st.ResolvedIDs, ",") != "ja-3" || st.Verified == nil || !*st.Verified {
		t.Errorf("resolved and verified: %+v", st)
	}
	if st := out["e:alice@example.com#mendix"]; st.Outcome != message.Done || st.Verified != nil {
		t.Errorf("mendix cannot read back: verified must be null: %+v", st)
	}
}

func mustEncode(t *testing.T, m message.Message) string {
	t.Helper()
	s, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRetryableFailuresAreReported(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.BL.Add(simulator.User{ID: "BL-1"})
	w.JA.Add(simulator.User{ID: "ja-1"})
	w.BL.SetOptions(simulator.Options{FaultRate: 1}) // every Backendless call fails with 5xx
	ev := event(t, msg("crm", "backendless", "BL-1", ""), msg("field-app", "journeyapps", "ja-1", ""))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	dlq := &fakeDLQ{}
	resp, _ := w.consumer(dlq).Handle(ctx, ev)
	if f := failures(resp); !f["m0"] || f["m1"] || len(f) != 1 {
		t.Fatalf("failures %v", f)
	}
	if len(dlq.sent) != 0 {
		t.Fatal("a retryable failure went to the DLQ")
	}
	if o := w.outcomes(t)["u:BL-1#crm"]; o.Outcome != message.Retrying || o.Code == "" {
		t.Fatalf("ledger: %+v", o)
	}
}

func TestDLQSendFailureMeansRetry(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	resp, _ := w.consumer(&fakeDLQ{fail: true}).Handle(context.Background(), event(t, `not json`, msg("field-app", "journeyapps", "ja-404", "")))
	if f := failures(resp); !f["m0"] || !f["m1"] {
		t.Fatalf("failures %v: messages whose DLQ copy failed must be retried", f)
	}
}

// With the work deadline already behind, no provider call starts and every
// target is retried (no wall clock is measured: the deadline is past).
func TestNoCallAfterTheDeadline(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	var bodies []any
	for _, id := range []string{"a", "b", "c"} {
		w.SC.Add(simulator.User{ID: id})
		bodies = append(bodies, msg("wiki", "scim", id, ""))
	}
	c := w.consumer(&fakeDLQ{})
	c.Margin = time.Hour // the invocation's deadline is closer than the margin
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	resp, _ := c.Handle(ctx, event(t, bodies...))
	if f := failures(resp); len(f) != 3 {
		t.Fatalf("failures %v", f)
	}
	if n := w.SC.Stats().Requests; n != 0 {
		t.Fatalf("%d requests started after the deadline", n)
	}
}

func TestSecretRefreshedOnce(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.SC.Add(simulator.User{ID: "sc-1"}, simulator.User{ID: "sc-2"})
	c := w.consumer(&fakeDLQ{})
	if resp, _ := c.Handle(context.Background(), event(t, msg("wiki", "scim", "sc-1", ""))); len(resp.BatchItemFailures) != 0 {
		t.Fatal("warm-up failed")
	}
	// Rotate: the provider now wants a new token, and the secret has it;
	// the consumer still holds the old one in its cache.
	w.SC.SetCredential("rotated-token-abcdefghijkl")
	w.store.Put("revoke/wiki", w.Secret("wiki", simulator.Settings{RatePerSecond: 500}))
	w.clock.Add(10 * time.Second) // older than RefreshMinAge, younger than the TTL
	dlq := &fakeDLQ{}
	c.DLQ = dlq
	resp, _ := c.Handle(context.Background(), event(t, msg("wiki", "scim", "sc-2", "")))
	if len(resp.BatchItemFailures) != 0 || len(dlq.sent) != 0 {
		t.Fatalf("after rotation: failures %v dlq %v", resp.BatchItemFailures, dlq.sent)
	}
	if u, _ := w.SC.User("sc-2"); !u.Disabled {
		t.Fatal("not revoked after the secret refresh")
	}
	// A credential that stays wrong is permanent: DLQ "unauthorized".
	w.SC.SetCredential("another-token-nobody-has")
	w.SC.Add(simulator.User{ID: "sc-3"})
	w.clock.Add(10 * time.Second)
	resp, _ = c.Handle(context.Background(), event(t, msg("wiki", "scim", "sc-3", "")))
	if len(resp.BatchItemFailures) != 0 || len(dlq.sent) != 1 || dlq.sent[0].Attributes["error_code"] != "unauthorized" {
		t.Fatalf("failures %v dlq %+v", resp.BatchItemFailures, dlq.sent)
	}
	if n := w.store.Calls(); n != 3 {
		t.Errorf("GetSecretValue calls = %d, want 3 (initial + one refresh per rotation)", n)
	}
}

func TestInsecureURLRefusedWithoutSendingToken(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.cfg.AllowInsecureHTTP = false
	w.SC.Add(simulator.User{ID: "sc-1"})
	dlq := &fakeDLQ{}
	resp, _ := w.consumer(dlq).Handle(context.Background(), event(t, msg("wiki", "scim", "sc-1", "")))
	if len(resp.BatchItemFailures) != 0 || len(dlq.sent) != 1 || dlq.sent[0].Attributes["error_code"] != "config" {
		t.Fatalf("failures %v dlq %+v", resp.BatchItemFailures, dlq.sent)
	}
	if w.SC.Stats().Requests != 0 {
		t.Fatal("a request reached a plain-http provider")
	}
}

// A look-up answered 404 (a wrong URL or deployment) fails as config, for
// a "*" fan-out too: never no_account. (Before: both were "no such user"
// and the fan-out recorded no_account.)
func TestLookupFailuresAreNeverNoAccount(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	s := providertest.NewScript(t,
		providertest.Step{Method: "POST", Path: "/v1/uuids", Body: `{"emailAddresses":[{"emailAddress":"x@example.com"},{"emailAddress":"y@example.com"}]}`,
			Status: 404, RespBody: `{"error":{"code":"NOT_FOUND","message":"no route"}}`},
	)
	w.store.Put("revoke/mendix", `{"pat":"pat-for-a-script","identifiers_url":"`+s.URL()+`","deactivation_url":"`+s.URL()+`","rate_per_second":100}`)
	w.store.Put("revoke/field-app", strings.Replace(w.Secret("field-app", simulator.Settings{}), w.JA.Deployment, "000000000000000000000000", 1))
	fan := msg("mendix", "mendix", "", "x@example.com")
	fan.Fanout = true
	fanJA := msg("field-app", "journeyapps", "", "x@example.com")
	fanJA.Fanout = true
	dlq := &fakeDLQ{}
	resp, _ := w.consumer(dlq).Handle(context.Background(), event(t, fan, msg("mendix", "mendix", "", "y@example.com"), fanJA))
	if len(resp.BatchItemFailures) != 0 || len(dlq.sent) != 3 {
		t.Fatalf("failures %v dlq %+v", resp.BatchItemFailures, dlq.sent)
	}
	for _, m := range dlq.sent {
		if m.Attributes["error_code"] != "config" {
			t.Errorf("%s: %v", m.Body, m.Attributes)
		}
	}
	if strings.Contains(w.log.String(), `"outcome":"no_account"`) {
		t.Fatal("a failed look-up was recorded as no_account")
	}
}

// Providers that can tell report already: Backendless' 3085, a SCIM
// user the look-up shows inactive (no PATCH at all). (Before: already was
// never produced, and 3085 went to the DLQ.)
func TestAlready(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.BL.Add(simulator.User{ID: "BL-1", Disabled: true})
	w.SC.Add(simulator.User{ID: "sc-1", Email: "gone@example.com", Disabled: true})
	dlq := &fakeDLQ{}
	resp, _ := w.consumer(dlq).Handle(context.Background(), event(t, msg("crm", "backendless", "BL-1", ""), msg("wiki", "scim", "", "gone@example.com")))
	if len(resp.BatchItemFailures) != 0 || len(dlq.sent) != 0 {
		t.Fatalf("failures %v dlq %+v", resp.BatchItemFailures, dlq.sent)
	}
	out := w.outcomes(t)
	if o := out["u:BL-1#crm"]; o.Outcome != message.Already || o.Verified == nil || !*o.Verified {
		t.Fatalf("backendless: %+v", o)
	}
	if o := out["e:gone@example.com#wiki"]; o.Outcome != message.Already {
		t.Fatalf("scim: %+v", o)
	}
	if n := w.SC.Stats().ByRoute["patch"]; n != 0 {
		t.Fatalf("%d PATCHes for a user already inactive", n)
	}
}

// The read-back: a provider that answers success but changes nothing is a
// retryable "unverified" failure, and on the last delivery the DLQ's
// "exhausted" with that reason; verify=false in the secret skips it.
func TestReadBack(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.SC.Add(simulator.User{ID: "sc-1"})
	w.SC.SetOptions(simulator.Options{IgnoreChanges: true})
	w.SC.NoContent = true // 204: nothing in the answer to check but the read-back
	dlq := &fakeDLQ{}
	c := w.consumer(dlq)
	resp, _ := c.Handle(context.Background(), event(t, msg("wiki", "scim", "sc-1", "")))
	if f := failures(resp); !f["m0"] || len(dlq.sent) != 0 {
		t.Fatalf("failures %v dlq %v", f, dlq.sent)
	}
	if o := w.outcomes(t)["u:sc-1#wiki"]; o.Outcome != message.Retrying || o.Code != message.CodeUnverified {
		t.Fatalf("%+v", o)
	}
	resp, _ = c.Handle(context.Background(), eventN(t, w.cfg.MaxReceiveCount, msg("wiki", "scim", "sc-1", "")))
	if len(resp.BatchItemFailures) != 0 || len(dlq.sent) != 1 || dlq.sent[0].Attributes["error_code"] != "exhausted" ||
		!strings.Contains(dlq.sent[0].Attributes["error_message"], "unverified") {
		t.Fatalf("last delivery: failures %v dlq %+v", resp.BatchItemFailures, dlq.sent)
	}
	// A 200 whose resource still says active=true is a permanent
	// provider_error, even before the read-back.
	w.SC.NoContent = false
	resp, _ = c.Handle(context.Background(), event(t, msg("wiki", "scim", "sc-1", "")))
	if len(resp.BatchItemFailures) != 0 || len(dlq.sent) != 2 || dlq.sent[1].Attributes["error_code"] != "provider_error" {
		t.Fatalf("200 still active: failures %v dlq %+v", resp.BatchItemFailures, dlq.sent)
	}
	w.SC.SetOptions(simulator.Options{})
	no := false
	w.store.Put("revoke/wiki", w.Secret("wiki", simulator.Settings{RatePerSecond: 500, Verify: &no}))
	w.clock.Add(2 * time.Minute)
	resp, _ = c.Handle(context.Background(), event(t, msg("wiki", "scim", "sc-1", "")))
	if len(resp.BatchItemFailures) != 0 || !strings.Contains(w.log.String(), `"outcome":"done","http_status":200,"attempt":1`) {
		t.Fatalf("verify off: failures %v", resp.BatchItemFailures)
	}
}

// On the last allowed delivery a target still failing transiently goes to
// the DLQ with exhausted and its last error; before that it is retried.
// (Before: SQS's redrive moved it with no reason.)
func TestExhausted(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.BL.Add(simulator.User{ID: "BL-1"})
	w.BL.SetOptions(simulator.Options{FaultRate: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	dlq := &fakeDLQ{}
	c := w.consumer(dlq)
	if resp, _ := c.Handle(ctx, eventN(t, w.cfg.MaxReceiveCount-1, msg("crm", "backendless", "BL-1", ""))); len(resp.BatchItemFailures) != 1 || len(dlq.sent) != 0 {
		t.Fatalf("before the last delivery: %v %v", resp.BatchItemFailures, dlq.sent)
	}
	resp, _ := c.Handle(ctx, eventN(t, w.cfg.MaxReceiveCount, msg("crm", "backendless", "BL-1", "")))
	if len(resp.BatchItemFailures) != 0 || len(dlq.sent) != 1 {
		t.Fatalf("last delivery: %v %v", resp.BatchItemFailures, dlq.sent)
	}
	a := dlq.sent[0].Attributes
	if a["error_code"] != "exhausted" || !strings.Contains(a["error_message"], "last error: ") || a["connection"] != "crm" {
		t.Fatalf("%v", a)
	}
}

// Reading a secret that Secrets Manager refuses (AccessDenied) or cannot
// serve is retried; a malformed secret is a permanent config error.
// (Before: an AccessDenied could be permanent and a malformed secret was
// classified by string.)
func TestSecretErrors(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.store.SetFailure(errors.New("AccessDeniedException: not authorized to perform secretsmanager:GetSecretValue"))
	dlq := &fakeDLQ{}
	resp, _ := w.consumer(dlq).Handle(context.Background(), event(t, msg("wiki", "scim", "sc-1", "")))
	if len(resp.BatchItemFailures) != 1 || len(dlq.sent) != 0 || strings.Contains(w.log.String(), `"token"`) {
		t.Fatalf("outage: %v %v", resp.BatchItemFailures, dlq.sent)
	}
	w.store.SetFailure(nil)
	w.store.Put("revoke/wiki", `{"base_url":"https://x.example","token":`)
	resp, _ = w.consumer(dlq).Handle(context.Background(), event(t, msg("wiki", "scim", "sc-1", "")))
	if len(resp.BatchItemFailures) != 0 || len(dlq.sent) != 1 || dlq.sent[0].Attributes["error_code"] != "config" {
		t.Fatalf("malformed: %v %v", resp.BatchItemFailures, dlq.sent)
	}
}

// A dry run resolves and reads state, changes nothing, and records what
// would happen.
func TestDryRun(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.BL.Add(simulator.User{ID: "BL-1"}, simulator.User{ID: "BL-2", Disabled: true})
	w.SC.Add(simulator.User{ID: "sc-1", Email: "a@example.com"})
	var bodies []any
	for _, m := range []message.Message{msg("crm", "backendless", "BL-1", ""), msg("crm", "backendless", "BL-2", ""), msg("crm", "backendless", "BL-404", ""),
		msg("wiki", "scim", "", "a@example.com"), msg("mendix", "mendix", "6f1e7f5e-9", "")} {
		m.DryRun = true
		bodies = append(bodies, m)
	}
	dlq := &fakeDLQ{}
	resp, _ := w.consumer(dlq).Handle(context.Background(), event(t, bodies...))
	if len(resp.BatchItemFailures) != 0 || len(dlq.sent) != 1 || dlq.sent[0].Attributes["error_code"] != "not_found" {
		t.Fatalf("failures %v dlq %v", resp.BatchItemFailures, dlq.sent)
	}
	out := w.outcomes(t)
	for key, o := range map[string]message.Outcome{"u:BL-1#crm": message.WouldRevoke, "u:BL-2#crm": message.Already, "u:BL-404#crm": message.Failed,
		"e:a@example.com#wiki": message.WouldRevoke, "u:6f1e7f5e-9#mendix": message.WouldRevoke} {
		if out[key].Outcome != o {
			t.Errorf("%s: %+v, want %s", key, out[key], o)
		}
	}
	for _, s := range []simulator.Sim{w.BL, w.SC, w.MX} {
		if s.Stats().Changes != 0 {
			t.Fatal("a dry run changed a user")
		}
	}
	if u, _ := w.BL.User("BL-1"); u.Disabled {
		t.Fatal("a dry run disabled a user")
	}
}

// Outcomes are written to the ledger in batches (one read of the chain
// heads, 100 a call, then transactions of 50 targets, each attempt with
// its head), not one call per target (each revoked account's mark, the
// drift check's index, is its attempt: no extra write); when the ledger
// cannot take them, targets that succeeded are retried so the record is
// not lost.
func TestLedgerBatchesAndOutage(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	var bodies []any
	for i := range 100 {
		id := "ja-" + string(rune('A'+i/26)) + string(rune('a'+i%26))
		w.JA.Add(simulator.User{ID: id})
		bodies = append(bodies, msg("field-app", "journeyapps", id, ""))
	}
	before := w.lstore.Calls.Load()
	resp, _ := w.consumer(&fakeDLQ{}).Handle(context.Background(), event(t, bodies...))
	if len(resp.BatchItemFailures) != 0 {
		t.Fatal(resp.BatchItemFailures)
	}
	// 3 to record the 100 as changed before their read-back (a read of
	// the chain heads, 2 transactions), 2 for the outcomes (the heads
	// the first write left are not read again).
	if calls := w.lstore.Calls.Load() - before; calls != 5 {
		t.Fatalf("%d ledger calls for 100 targets, want 5", calls)
	}
	w.lstore.SetFailure(errors.New("ProvisionedThroughputExceeded"))
	resp, _ = w.consumer(&fakeDLQ{}).Handle(context.Background(), event(t, bodies[:3]...))
	if len(resp.BatchItemFailures) != 3 {
		t.Fatalf("with the ledger down: %v", resp.BatchItemFailures)
	}
}
