package consumer

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// revokedActive gives the world one account revoke revoked that the
// provider shows enabled again, and returns the revocation's id.
func revokedActive(t *testing.T, w *world) string {
	t.Helper()
	w.BL.Add(simulator.User{ID: "BL-1"})
	req := message.NewID()
	if err := w.ledger.PutMarks(context.Background(), []ledger.Mark{
		{Connection: "crm", UserID: "BL-1", Action: message.Revoke, RequestID: req, Key: "u:BL-1#crm", At: time.Now()},
	}); err != nil {
		t.Fatal(err)
	}
	return req
}

// A sweep run records and alerts an account's drift once, however many of
// its check messages arrive: two in one batch (a mark spanning two pages
// of the sweep's read), or the same message delivered again. A later run
// records it again. Before, each check wrote its own record and fired
// the alarm's metric.
func TestDriftOncePerSweepRun(t *testing.T) {
	for _, tc := range []struct {
		name    string
		batches [][]int // the check messages of each delivery, by run
		want    int     // drift records and alerts
	}{
		{"two checks in one batch", [][]int{{0, 0}}, 1},
		{"a redelivery", [][]int{{0}, {0}}, 1},
		{"two in a batch, then redelivered", [][]int{{0, 0}, {0}}, 1},
		{"two runs", [][]int{{0}, {1}}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, simulator.Options{})
			revokedActive(t, w)
			runs := []message.Message{message.NewCheck(message.NewID(), "crm", "backendless", "BL-1", false, time.Now()),
				message.NewCheck(message.NewID(), "crm", "backendless", "BL-1", false, time.Now())}
			for _, b := range tc.batches {
				var bodies []any
				for _, r := range b {
					bodies = append(bodies, runs[r])
				}
				if resp, _ := w.consumer(&fakeDLQ{}).Handle(context.Background(), event(t, bodies...)); len(resp.BatchItemFailures) != 0 {
					t.Fatalf("failures %v", resp.BatchItemFailures)
				}
			}
			d, _, err := w.ledger.ListDrift(context.Background(), "", 10)
			if err != nil || len(d) != tc.want {
				t.Fatalf("%d drift records, want %d: %+v %v", len(d), tc.want, d, err)
			}
			logs := w.log.String()
			if n := strings.Count(logs, `"drift":1`); n != tc.want {
				t.Fatalf("the drift metric fired %d times, want %d", n, tc.want)
			}
			if n := strings.Count(logs, `"msg":"drift: an account revoke revoked is active again"`); n != tc.want {
				t.Fatalf("%d ERROR lines, want %d", n, tc.want)
			}
		})
	}
}

// A dry-run check fires no DriftAlarm metric and records nothing; a WARN
// line says what a real run would do. Under DRY_RUN=true the drift is
// recorded (access did come back) but on_drift: revoke reads would_revoke
// and no re-revocation is made. Before, a dry run fired the alarm's
// metric, and DRY_RUN=true recorded on_drift "revoke" with a request.
func TestDriftDryRunsFireNoAlarm(t *testing.T) {
	for _, tc := range []struct {
		name         string
		msgDryRun    bool
		deployDryRun bool
		wantRecord   bool
		wantMetric   bool
	}{
		{"a dry-run sweep", true, false, false, false},
		{"DRY_RUN=true", false, true, true, true},
		{"both", true, true, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, simulator.Options{})
			w.cfg.DryRun = tc.deployDryRun
			onDrift(t, w, "crm", "revoke")
			revokedActive(t, w)
			check := message.NewCheck(message.NewID(), "crm", "backendless", "BL-1", tc.msgDryRun, time.Now())
			if resp, _ := w.consumer(&fakeDLQ{}).Handle(context.Background(), event(t, check)); len(resp.BatchItemFailures) != 0 {
				t.Fatalf("failures %v", resp.BatchItemFailures)
			}
			logs := w.log.String()
			if got := strings.Contains(logs, `"drift":1`); got != tc.wantMetric {
				t.Fatalf("drift metric fired: %v, want %v", got, tc.wantMetric)
			}
			d, _, err := w.ledger.ListDrift(context.Background(), "", 10)
			if err != nil || (len(d) == 1) != tc.wantRecord {
				t.Fatalf("records %+v %v, want recorded %v", d, err, tc.wantRecord)
			}
			if tc.wantRecord && (d[0].OnDrift != string(message.WouldRevoke) || d[0].NewRequestID != "") {
				t.Fatalf("recorded as if revoke acted: %+v", d[0])
			}
			if !tc.wantRecord && !strings.Contains(logs, `"msg":"drift (dry run): an account revoke revoked is active again; a real run would record it and alert"`) {
				t.Fatal("the dry run does not say what would happen")
			}
			if u, _ := w.BL.User("BL-1"); u.Disabled {
				t.Fatal("a dry run revoked the account")
			}
		})
	}
}

// onDrift sets the connection's on_drift setting in its secret.
func onDrift(t *testing.T, w *world, conn, value string) {
	t.Helper()
	raw, err := w.store.Get(context.Background(), w.cfg.SecretID(conn))
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		t.Fatal(err)
	}
	s["on_drift"] = value
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	w.store.Put(w.cfg.SecretID(conn), string(b))
}
