// Package providertest holds what every provider client's tests share: a
// scripted HTTP server that checks each request exactly, in order, and the
// one conformance suite every client passes against its simulator.
// Only _test files import it.
package providertest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
)

// Step is one expected request and the response to give.
type Step struct {
	Method string
	Path   string            // escaped path, exactly
	Query  string            // raw query, exactly ("" means none)
	Header map[string]string // headers that must have exactly these values
	Body   string            // JSON the body must equal (semantically); "" means no body
	// Response.
	Status     int
	RespHeader map[string]string
	RespBody   string
}

// Script serves steps in order and fails the test on any mismatch, on a
// request beyond the script, and (at cleanup) on a step never reached.
type Script struct {
	t     testing.TB
	mu    sync.Mutex
	steps []Step
	next  int
	Srv   *httptest.Server
}

// NewScript starts a scripted server.
func NewScript(t testing.TB, steps ...Step) *Script {
	s := &Script{t: t, steps: steps}
	s.Srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		s.Srv.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.next < len(s.steps) {
			t.Errorf("script: %d of %d expected requests never came (next: %s %s)", len(s.steps)-s.next, len(s.steps), s.steps[s.next].Method, s.steps[s.next].Path)
		}
	})
	return s
}

// URL is the server's base URL.
func (s *Script) URL() string { return s.Srv.URL }

func (s *Script) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.next >= len(s.steps) {
		s.mu.Unlock()
		s.t.Errorf("script: unexpected request %s %s", r.Method, r.URL)
		w.WriteHeader(http.StatusTeapot)
		return
	}
	st := s.steps[s.next]
	s.next++
	s.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	if r.Method != st.Method || r.URL.EscapedPath() != st.Path || r.URL.RawQuery != st.Query {
		s.t.Errorf("script: got %s %s?%s, want %s %s?%s", r.Method, r.URL.EscapedPath(), r.URL.RawQuery, st.Method, st.Path, st.Query)
	}
	for k, v := range st.Header {
		if got := r.Header.Get(k); got != v {
			s.t.Errorf("script: %s %s: header %s = %q, want %q", st.Method, st.Path, k, got, v)
		}
	}
	switch {
	case st.Body == "" && len(body) != 0:
		s.t.Errorf("script: %s %s: unexpected body %s", st.Method, st.Path, body)
	case st.Body != "" && !jsonEqual(body, []byte(st.Body)):
		s.t.Errorf("script: %s %s: body\n%s\nwant\n%s", st.Method, st.Path, body, st.Body)
	}
	for k, v := range st.RespHeader {
		w.Header().Set(k, v)
	}
	if st.RespBody != "" && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(st.Status)
	_, _ = io.WriteString(w, st.RespBody)
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(bytes.TrimSpace(a), bytes.TrimSpace(b))
	}
	return reflect.DeepEqual(x, y)
}
