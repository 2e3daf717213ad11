package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// chainAPI serves GET /revocations/{id}?format=chain, two targets a page,
// from a ledger holding a request of three targets with redelivered and
// re-driven attempts, checking the method, path, format and token. A
// request whose "drop" parameter names a target key leaves that target's
// chain out, as if its records were deleted.
func chainAPI(t *testing.T) (id string, srv *httptest.Server) {
	t.Helper()
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	l := ledger.New(inmem.NewStore(func() time.Time { return at }), 400*24*time.Hour)
	r := ledger.Request{ID: message.NewID(), Action: message.Revoke, Source: message.SourceAPI, Actor: "token:ops", RequestedAt: at}
	var ts []ledger.Target
	for _, u := range []string{"u1", "u2", "u3"} {
		ts = append(ts, ledger.TargetOf(message.Target{Connection: "wiki", Provider: "scim", UserID: u}))
	}
	ctx := context.Background()
	if err := l.CreateRequest(ctx, r, ts); err != nil {
		t.Fatal(err)
	}
	for receive := 3; receive >= 1; receive-- { // out of order
		var as []ledger.Attempt
		for _, tg := range ts {
			as = append(as, ledger.Attempt{RequestID: r.ID, Key: tg.Key, MessageID: "m", Outcome: message.Retrying, Receive: receive, At: at, RequestedAt: at})
		}
		if err := l.RecordAttempts(ctx, as); err != nil {
			t.Fatal(err)
		}
	}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
		if q.Method != http.MethodGet || q.URL.Path != "/revocations/"+r.ID || q.URL.Query().Get("format") != "chain" ||
			q.Header.Get("Authorization") != "Bearer good-token-0123456789" {
			w.WriteHeader(404)
			return
		}
		p, err := l.StatusPage(q.Context(), r.ID, q.URL.Query().Get("cursor"), 2)
		if err != nil {
			w.WriteHeader(500)
			return
		}
		var next *string
		if p.Next != "" {
			next = &p.Next
		}
		chains := p.Chains[:0:0]
		for _, ch := range p.Chains {
			if ch.Key != dropKey(q) {
				chains = append(chains, ch)
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"request_id": r.ID, "targets": p.Request.Targets, "chains": chains, "next": next})
	}))
	t.Cleanup(srv.Close)
	return r.ID, srv
}

// dropKey is the target key a test's server leaves out (none: "").
func dropKey(q *http.Request) string { return q.Header.Get("X-Test-Drop") }

// revokectl evidence --format chain exports every target's chain, and
// --verify passes it, from the API or from the file; a changed, reordered
// or deleted attempt in the export fails it with exit 1 and says where.
// (Before: there was no chain and no --verify.)
func TestEvidenceVerify(t *testing.T) {
	id, srv := chainAPI(t)
	t.Setenv("REVOKE_API_TOKEN", "good-token-0123456789")
	var out, errb bytes.Buffer
	if code := Run(context.Background(), []string{"evidence", "--url", srv.URL, "--insecure", "--request", id, "--format", "chain"}, nil, &out, &errb); code != ExitOK {
		t.Fatalf("export: exit %d: %s", code, errb.String())
	}
	export := out.String()
	if n := strings.Count(export, "\n"); n != 3 {
		t.Fatalf("export of %d lines, want 3:\n%s", n, export)
	}
	edit := func(f func(ch *ledger.TargetChain)) string {
		var b strings.Builder
		for i, line := range strings.Split(strings.TrimSpace(export), "\n") {
			var ch ledger.TargetChain
			if err := json.Unmarshal([]byte(line), &ch); err != nil {
				t.Fatal(err)
			}
			if i == 1 {
				f(&ch)
			}
			j, _ := json.Marshal(ch)
			b.Write(append(j, '\n'))
		}
		return b.String()
	}
	tests := []struct {
		name   string
		export string // "": verify against the API
		code   int
		want   string
	}{
		{"the API", "", ExitOK, "ok: 3 targets' chains hold (9 attempts)"},
		{"the export", export, ExitOK, "ok: 3 targets' chains hold (9 attempts)"},
		{"an outcome changed", edit(func(ch *ledger.TargetChain) { ch.Attempts[0].Outcome = message.Done }), ExitFail, "TAMPERED request " + id},
		{"an attempt deleted", edit(func(ch *ledger.TargetChain) { ch.Attempts = ch.Attempts[1:] }), ExitFail, "missing"},
		{"two attempts reordered", edit(func(ch *ledger.TargetChain) {
			ch.Attempts[0].Seq, ch.Attempts[1].Seq = ch.Attempts[1].Seq, ch.Attempts[0].Seq
		}), ExitFail, "not linked"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"evidence", "--url", srv.URL, "--insecure", "--verify", "--request", id}
			if tc.export != "" {
				file := filepath.Join(t.TempDir(), "chain.jsonl")
				if err := os.WriteFile(file, []byte(tc.export), 0o600); err != nil {
					t.Fatal(err)
				}
				args = []string{"evidence", "--verify", "--in", file}
			}
			var out, errb bytes.Buffer
			code := Run(context.Background(), args, nil, &out, &errb)
			if code != tc.code || !strings.Contains(out.String(), tc.want) {
				t.Fatalf("exit %d (want %d)\n%s%s\nwant %q", code, tc.code, out.String(), errb.String(), tc.want)
			}
		})
	}
}

// Usage: --verify takes a request or an export, not both, not neither.
func TestEvidenceVerifyUsage(t *testing.T) {
	for _, args := range [][]string{
		{"evidence", "--verify"},
		{"evidence", "--verify", "--in", "x", "--request", "3f6c1b2e-7d4a-4c1e-9b8f-2a5d6e7f8a90"},
		{"evidence", "--verify", "--request", "not-an-id"},
		{"evidence", "--format", "chain", "--email", "a@example.com"},
	} {
		var out, errb bytes.Buffer
		if code := Run(context.Background(), args, nil, &out, &errb); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
}

// FuzzReadChains: any export is read without a panic, line by line.
func FuzzReadChains(f *testing.F) {
	f.Add([]byte(`{"request_id":"r","key":"k","head":{"seq":1,"hash":"x"},"attempts":[{"seq":1,"prev":"y"}]}` + "\n\n{"))
	f.Add([]byte("\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		err := readChains(bytes.NewReader(data), func(ch ledger.TargetChain) error {
			n++
			_ = ledger.VerifyChain(ch)
			return nil
		})
		if err == nil && n > bytes.Count(data, []byte("\n"))+1 {
			t.Fatalf("%d chains from %d lines", n, bytes.Count(data, []byte("\n"))+1)
		}
	})
}

// A target deleted with its whole chain fails --verify against the API:
// the request recorded three targets and the pages hold two chains.
// (Before: the two remaining chains held, and --verify said ok.)
func TestEvidenceVerifyCountsTheTargets(t *testing.T) {
	id, srv := chainAPI(t)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
		q.Header.Set("X-Test-Drop", "u:u2#wiki")
		q.URL.Scheme, q.URL.Host, q.RequestURI = "http", strings.TrimPrefix(srv.URL, "http://"), ""
		resp, err := http.DefaultClient.Do(q)
		if err != nil {
			w.WriteHeader(502)
			return
		}
		defer resp.Body.Close()
		var body bytes.Buffer
		_, _ = body.ReadFrom(resp.Body)
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(body.Bytes())
	}))
	defer proxy.Close()
	t.Setenv("REVOKE_API_TOKEN", "good-token-0123456789")
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"evidence", "--url", proxy.URL, "--insecure", "--verify", "--request", id}, nil, &out, &errb)
	if code != ExitFail || !strings.Contains(out.String(), "INCOMPLETE request "+id+": it recorded 3 targets, the chains hold 2") {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
}
