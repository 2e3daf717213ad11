package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/queue"
)

type fakeInvoker struct {
	got  []string
	fail bool
}

func (f *fakeInvoker) InvokeAsync(_ context.Context, fn string, payload []byte) error {
	if f.fail {
		return errors.New("throttled")
	}
	f.got = append(f.got, fn+" "+string(payload))
	return nil
}

// A Lambda on-failure destination record, as Lambda writes it for an
// asynchronous invocation that failed every retry.
const failureRecord1 = `{"version":"1.0","timestamp":"2026-11-23T19:00:30.000Z","requestContext":{"requestId":"e1c7d3a0-1111-4c2a-9f00-000000000001","functionArn":"arn:aws:lambda:us-east-1:123456789012:function:revoke-trigger:$LATEST","condition":"RetriesExhausted","approximateInvokeCount":3},"requestPayload":{"version":"0","id":"evt-1","detail-type":"SystemLog","source":"aws.partner/okta.com/x","detail":{"uuid":"u-1"}},"responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},"responsePayload":{"errorMessage":"ledger unreachable","errorType":"errorString"}}`

func TestReplay(t *testing.T) {
	ctx := context.Background()
	q := inmem.NewQueue()
	const url = "memory://trigger-failures"
	if _, err := q.SendBatch(ctx, url, []queue.Outgoing{{Body: failureRecord1}, {Body: `not a record`}}); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	io := IO{Out: &out, Err: &errb}

	// A dry run changes nothing.
	inv := &fakeInvoker{}
	if code := replay(ctx, io, q, inv, url, "revoke-trigger", 10, true); code != ExitOK || len(inv.got) != 0 || !strings.Contains(out.String(), "would replay") {
		t.Fatalf("dry run: %d %v %s", code, inv.got, out.String())
	}
	if v, f := q.Stats(url); v+f != 2 {
		t.Fatalf("dry run left %d+%d messages, want 2", v, f)
	}
	// A failing invoke keeps the record.
	if code := replay(ctx, io, q, &fakeInvoker{fail: true}, url, "revoke-trigger", 10, false); code != ExitFail {
		t.Fatalf("failing invoke: exit %d", code)
	}
	if v, f := q.Stats(url); v+f != 2 {
		t.Fatalf("a failed replay deleted a record: %d+%d left", v, f)
	}
	// A replay sends the original event and deletes the record; the
	// malformed message stays.
	out.Reset()
	if code := replay(ctx, io, q, inv, url, "revoke-trigger", 10, false); code != ExitOK {
		t.Fatalf("replay: exit %d %s", code, errb.String())
	}
	if len(inv.got) != 1 || !strings.HasPrefix(inv.got[0], `revoke-trigger {"version":"0","id":"evt-1"`) || strings.Contains(inv.got[0], "requestContext") {
		t.Fatalf("invoked with %v", inv.got)
	}
	if v, f := q.Stats(url); v+f != 1 {
		t.Fatalf("%d+%d left, want the malformed one", v, f)
	}
}

type fakeUnresolved struct{ pages [][]ledger.Unresolved }

func (f *fakeUnresolved) ListUnresolved(_ context.Context, cursor string, limit int) ([]ledger.Unresolved, string, error) {
	i := 0
	if cursor != "" {
		i = int(cursor[0] - '0')
	}
	next := ""
	if i+1 < len(f.pages) {
		next = string(rune('0' + i + 1))
	}
	return f.pages[i], next, nil
}

func TestUnresolved(t *testing.T) {
	at := time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC)
	l := &fakeUnresolved{pages: [][]ledger.Unresolved{
		{{At: at, Source: "identity-center", Directory: "identitystore:d-9067642ac7", UserID: "906722b2be-aaaa", EventID: "ev-1", Reason: "deleted user not in the directory snapshot"}},
		{{At: at, Source: "cognito", Directory: "cognito:us-east-1_AbCdEfGhI", UserID: "sub-2", EventID: "ev-2", Reason: "no email"}},
	}}
	var out, errb bytes.Buffer
	if code := listUnresolved(context.Background(), IO{Out: &out, Err: &errb}, l, 100, false); code != ExitOK {
		t.Fatal(code)
	}
	for _, want := range []string{"906722b2be-aaaa", "ev-1", "sub-2", "cognito:us-east-1_AbCdEfGhI", "2026-11-23T19:00:00Z"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(errb.String(), "2 unresolved") {
		t.Errorf("summary: %s", errb.String())
	}
	if code, _, errs := run(t, "", "unresolved", "--table", ""); code != ExitUsage || !strings.Contains(errs, "--table") {
		t.Errorf("no table: %d %s", code, errs)
	}
	if code, _, _ := run(t, "", "replay", "--queue-url", "", "--function", "x"); code != ExitUsage {
		t.Errorf("replay without a queue: %d", code)
	}
}
