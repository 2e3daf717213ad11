package consumer

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider/providertest"
	"github.com/revoke-dev/revoke/pkg/simulator"
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
		fan,                                                      // m9 no account → done
		msg("wiki", "scim", "", "ghost@example.com"),             // m10 explicit email, no user → DLQ not_found
		msg("field-app", "journeyapps", "ja-2", ""),              // m11 done (same batch request)
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
	want := map[int][2]string{1: {"not_found", "404"}, 6: {"invalid", ""}, 7: {"config", ""}, 8: {"unsupported", ""}, 10: {"not_found", ""}}
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
		if i != 6 && (a["connection"] == "" || a["provider"] == "") {
			t.Errorf("m%d attributes lack connection/provider: %v", i, a)
		}
	}
	logs := w.log.String()
	for _, sec := range w.Credentials() {
		if strings.Contains(logs, sec) {
			t.Fatalf("a secret reached the logs")
		}
	}
	for _, want := range []string{`"outcome":"no_account"`, `"_aws"`, `"provider_call_ms"`, `"request_id":"req-1"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s", want)
		}
	}
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
}

func TestDLQSendFailureMeansRetry(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	resp, _ := w.consumer(&fakeDLQ{fail: true}).Handle(context.Background(), event(t, `not json`, msg("field-app", "journeyapps", "ja-404", "")))
	if f := failures(resp); !f["m0"] || !f["m1"] {
		t.Fatalf("failures %v: messages whose DLQ copy failed must be retried", f)
	}
}

func TestDeadlineReachedMidBatch(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.SC.SetOptions(simulator.Options{Latency: 400 * time.Millisecond})
	var bodies []any
	for i := range 6 {
		id := "sc-" + string(rune('a'+i))
		w.SC.Add(simulator.User{ID: id})
		bodies = append(bodies, msg("wiki", "scim", id, ""))
	}
	w.store.Put("revoke/wiki", w.Secret("wiki", simulator.Settings{RatePerSecond: 2, Burst: 1}))
	c := w.consumer(&fakeDLQ{})
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	resp, _ := c.Handle(ctx, event(t, bodies...))
	f := failures(resp)
	done := 0
	for i := range 6 {
		if u, _ := w.SC.User("sc-" + string(rune('a'+i))); u.Disabled {
			done++
			if f[ev(i)] {
				t.Errorf("m%d was done but reported as a failure", i)
			}
		} else if !f[ev(i)] {
			t.Errorf("m%d was not done and not reported as a failure", i)
		}
	}
	if done == 0 || done == 6 {
		t.Fatalf("done %d of 6: the deadline should cut the batch", done)
	}
	if dl, _ := ctx.Deadline(); time.Until(dl) < 0 {
		t.Fatal("the handler ran past its deadline")
	}
}

func ev(i int) string { return "m" + string(rune('0'+i)) }

func TestSecretRefreshedOnce(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	w.SC.Add(simulator.User{ID: "sc-1"}, simulator.User{ID: "sc-2"})
	c := w.consumer(&fakeDLQ{})
	c.RefreshMinAge = 50 * time.Millisecond
	if resp, _ := c.Handle(context.Background(), event(t, msg("wiki", "scim", "sc-1", ""))); len(resp.BatchItemFailures) != 0 {
		t.Fatal("warm-up failed")
	}
	// Rotate: the provider now wants a new token, and the secret has it;
	// the consumer still holds the old one in its cache.
	w.SC.SetCredential("rotated-token-abcdefghijkl")
	w.store.Put("revoke/wiki", w.Secret("wiki", simulator.Settings{RatePerSecond: 500}))
	time.Sleep(100 * time.Millisecond)
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
	time.Sleep(100 * time.Millisecond)
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

// TestLookup404 : a look-up API that answers 404 for an unknown email means
// "no account": not an error for a "*" fan-out, not_found for an explicit email.
func TestLookup404(t *testing.T) {
	w := newWorld(t, simulator.Options{})
	s := providertest.NewScript(t,
		providertest.Step{Method: "POST", Path: "/v1/uuids", Body: `{"emailAddresses":[{"emailAddress":"x@example.com"},{"emailAddress":"y@example.com"}]}`,
			Status: 404, RespBody: `{"error":{"code":"NOT_FOUND","message":"no identifiers"}}`},
	)
	w.store.Put("revoke/mendix", `{"pat":"pat-for-a-script","identifiers_url":"`+s.URL()+`","deactivation_url":"`+s.URL()+`","rate_per_second":100}`)
	fan := msg("mendix", "mendix", "", "x@example.com")
	fan.Fanout = true
	dlq := &fakeDLQ{}
	resp, _ := w.consumer(dlq).Handle(context.Background(), event(t, fan, msg("mendix", "mendix", "", "y@example.com")))
	if len(resp.BatchItemFailures) != 0 || len(dlq.sent) != 1 || dlq.sent[0].Attributes["error_code"] != "not_found" || !strings.Contains(dlq.sent[0].Body, "y@example.com") {
		t.Fatalf("failures %v dlq %+v", resp.BatchItemFailures, dlq.sent)
	}
	if !strings.Contains(w.log.String(), `"outcome":"no_account"`) {
		t.Fatal("the fan-out target was not recorded as no_account")
	}
}
