package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// pagedAPI serves a request's status and CSV in three pages each, the CSV
// continued by X-Next-Cursor; the last status page counts every target.
func pagedAPI(t *testing.T, id string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/revocations/"+id || r.Header.Get("Authorization") != "Bearer good-token-0123456789" {
			w.WriteHeader(404)
			return
		}
		page := map[string]int{"": 0, "c1": 1, "c2": 2}[r.URL.Query().Get("cursor")]
		next := []string{"c1", "c2", ""}[page]
		if r.URL.Query().Get("format") == "csv" {
			w.Header().Set("Content-Type", "text/csv")
			if next != "" {
				w.Header().Set("X-Next-Cursor", next)
			}
			fmt.Fprintf(w, "request_id,user_id,outcome\n%s,u%d,done\n", id, page)
			return
		}
		nextJSON, status, counts := "null", "pending", fmt.Sprintf(`{"done":%d}`, page+1)
		if next != "" {
			nextJSON = `"` + next + `"`
		} else {
			status = "done"
		}
		fmt.Fprintf(w, `{"request_id":%q,"status":%q,"counts":%s,"targets":[{"connection":"wiki","email":"p%d@example.com","resolved_ids":["sc-1","sc-2"],"outcome":"done"}],"next":%s}`,
			id, status, counts, page, nextJSON)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// revokectl evidence --request follows the CSV's X-Next-Cursor and prints
// the header once; revokectl status takes the status and counts of the
// last page (the one that counted every target) and names the accounts
// an email resolved to. (Before: evidence had no --request, and status
// printed the first page's status and no account.)
func TestEvidenceAndStatusFollowPages(t *testing.T) {
	const id = "3f6c1b2e-7d4a-4c1e-9b8f-2a5d6e7f8a90"
	srv := pagedAPI(t, id)
	t.Setenv("REVOKE_API_TOKEN", "good-token-0123456789")
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"evidence", []string{"evidence", "--url", srv.URL, "--insecure", "--request", id},
			[]string{"request_id,user_id,outcome\n" + id + ",u0,done\n" + id + ",u1,done\n" + id + ",u2,done\n"}},
		{"status", []string{"status", "--url", srv.URL, "--insecure", id},
			[]string{"request " + id + ": done", "p0@example.com (sc-1 sc-2)", "p2@example.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(t, "", tc.args...)
			if code != ExitOK {
				t.Fatalf("%d %s %s", code, out, errs)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Fatalf("output %q lacks %q", out, w)
				}
			}
		})
	}
}
