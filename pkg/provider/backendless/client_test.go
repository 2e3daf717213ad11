package backendless

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/internal/providertest"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
)

const (
	appID  = "A1B2C3D4-APP"
	apiKey = "CLOUDCODE-KEY-5F6E7D8C9B0A"
)

func newClient(t testing.TB, base string) *Client {
	t.Helper()
	c, err := New([]byte(fmt.Sprintf(`{"base_url":%q,"application_id":%q,"api_key":%q,"rate_per_second":1000}`, base, appID, apiKey)), rest.Options{AllowInsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRequestsExactly(t *testing.T) {
	root := "/" + appID + "/" + apiKey
	ct := map[string]string{"Content-Type": "application/json"}
	s := providertest.NewScript(t,
		providertest.Step{Method: "PUT", Path: root + "/users/4D584E4D-05A3-4AC4-90C7-B80D1584E7AD/status", Header: ct, Body: `{"userStatus":"DISABLED"}`, Status: 200},
		// An error with HTTP 200: must be read, and 999 retried.
		providertest.Step{Method: "PUT", Path: root + "/users/u2/status", Header: ct, Body: `{"userStatus":"DISABLED"}`, Status: 200, RespBody: `{"code":999,"message":"Request rate exhausted"}`},
		providertest.Step{Method: "PUT", Path: root + "/users/u2/status", Header: ct, Body: `{"userStatus":"DISABLED"}`, Status: 200},
		providertest.Step{Method: "PUT", Path: root + "/users/u3/status", Header: ct, Body: `{"userStatus":"DISABLED"}`, Status: 400, RespBody: `{"code":3000,"message":"weird"}`},
		providertest.Step{Method: "GET", Path: root + "/data/Users", Query: "pageSize=100&where=email%3D%27o%27%27brien%40example.com%27", Status: 200,
			RespBody: `[{"objectId":"X1","email":"o'brien@example.com","userStatus":"ENABLED"},{"objectId":"X2","email":"someone@example.com","userStatus":"ENABLED"}]`},
		providertest.Step{Method: "GET", Path: root + "/data/Users/X1", Status: 200, RespBody: `{"objectId":"X1","email":"o'brien@example.com","userStatus":"DISABLED"}`},
	)
	c := newClient(t, s.URL())
	ctx := context.Background()
	for _, id := range []string{"4D584E4D-05A3-4AC4-90C7-B80D1584E7AD", "u2"} {
		if r := c.Revoke(ctx, []provider.User{{ID: id}}); r[0].Outcome != provider.Done {
			t.Fatalf("%s: %+v", id, r[0])
		}
	}
	r := c.Revoke(ctx, []provider.User{{ID: "u3"}})
	if e := provider.As(r[0].Err); e.Code != message.CodeInvalid || e.Retryable() || e.ProviderID != "3000" {
		t.Fatalf("%+v", r[0])
	}
	// Only the user whose email equals the asked one, with its status.
	if l := c.Resolve(ctx, []string{"o'brien@example.com"}); l[0].Err != nil || strings.Join(l[0].IDs(), ",") != "X1" || !l[0].Matches[0].State.Known {
		t.Fatalf("%+v", l)
	}
	if st := c.Verify(ctx, []string{"X1"}); st[0].Err != nil || !st[0].Matches(message.Revoke) {
		t.Fatalf("%+v", st)
	}
}

// The documented codes decide: 1000, 3030 and 3057 are "no such user",
// 3085/3086 are errors outside a status change (statusCheck), and nothing
// else is "no such user" — not 3020
// (password recovery), not a message that says "not found", not a bare
// 404 (a custom domain without /api). (Before: 3085 was a permanent error,
// 3020 and message text meant not found, a bare 404 meant not found.)
func TestCheck(t *testing.T) {
	tests := []struct {
		status int
		body   string
		code   message.Code
		retry  bool
	}{
		{200, ``, "", false},
		{200, `{"objectId":"x"}`, "", false},
		{400, `{"code":3085,"message":"User is already disabled"}`, message.CodeInvalid, false},
		{400, `{"code":3086,"message":"User is already enabled"}`, message.CodeInvalid, false},
		{500, `{"code":3085,"message":"?"}`, message.CodeUnavailable, true},
		{200, `{"code":999,"message":"Request rate exhausted"}`, message.CodeRateLimited, true},
		{429, `{"code":999,"message":"x"}`, message.CodeRateLimited, true},
		{200, `{"code":1234,"message":"bad"}`, message.CodeProvider, false},
		{404, `{"code":1000,"message":"Entity with the specified ID cannot be found"}`, message.CodeNotFound, false},
		{400, `{"code":3030,"message":"Unable to find user"}`, message.CodeNotFound, false},
		{400, `{"code":3057,"message":"x"}`, message.CodeNotFound, false},
		{400, `{"code":3020,"message":"x"}`, message.CodeInvalid, false},
		{400, `{"code":3001,"message":"user not found in the cache"}`, message.CodeInvalid, false},
		{404, `<html>Not Found</html>`, message.CodeConfig, false},
		{404, `{"code":8002,"message":"no such route"}`, message.CodeConfig, false},
		{401, `{"code":3064,"message":"Invalid API key"}`, message.CodeUnauthorized, false},
		{502, `<html>`, message.CodeUnavailable, true},
		{501, ``, message.CodeUnsupported, false},
	}
	for _, tt := range tests {
		err := Check(tt.status, []byte(tt.body))
		if tt.code == "" {
			if err != nil {
				t.Errorf("%d %s: %v", tt.status, tt.body, err)
			}
			continue
		}
		e := provider.As(err)
		if e.Code != tt.code || e.Retryable() != tt.retry {
			t.Errorf("%d %s: got %s retry=%v", tt.status, tt.body, e.Code, e.Retryable())
		}
	}
}

// Revoking a disabled user and restoring an enabled one report already.
func TestAlready(t *testing.T) {
	sim := simulator.NewBackendless(appID, apiKey, simulator.Options{})
	defer sim.Close()
	sim.Add(simulator.User{ID: "off", Disabled: true}, simulator.User{ID: "on"})
	c := newClient(t, sim.URL())
	if r := c.Revoke(context.Background(), []provider.User{{ID: "off"}}); r[0].Outcome != provider.Already {
		t.Fatalf("revoke of a disabled user: %+v", r[0])
	}
	if r := c.Restore(context.Background(), []provider.User{{ID: "on"}}); r[0].Outcome != provider.Already {
		t.Fatalf("restore of an enabled user: %+v", r[0])
	}
}

// A custom domain serves the REST API under /api: a base_url without it
// is a config error before any call (its 404s would otherwise read as
// "no such user"), and a look-up answered 404 is config too.
func TestCustomDomainNeedsAPI(t *testing.T) {
	_, err := New([]byte(`{"base_url":"https://xxxx.backendless.app","rate_per_second":100}`), rest.Options{})
	if err == nil || provider.As(err).Code != message.CodeConfig || !strings.Contains(err.Error(), "/api") {
		t.Fatalf("custom domain without /api: %v", err)
	}
	sim := simulator.NewBackendless("", "", simulator.Options{})
	defer sim.Close()
	sim.Add(simulator.User{ID: "u1", Email: "a@example.com"})
	wrong, err := New([]byte(`{"base_url":"`+sim.URL()+`/v1/api","rate_per_second":100}`), rest.Options{AllowInsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	if l := wrong.Resolve(context.Background(), []string{"a@example.com"}); l[0].Err == nil || provider.As(l[0].Err).Code != message.CodeConfig {
		t.Fatalf("look-up on a wrong path: %+v", l[0])
	}
	right, err := New([]byte(`{"base_url":"`+sim.BaseURL()+`","rate_per_second":100}`), rest.Options{AllowInsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	if l := right.Resolve(context.Background(), []string{"A@example.com"}); l[0].Err != nil || strings.Join(l[0].IDs(), ",") != "u1" {
		t.Fatalf("look-up on the custom domain: %+v", l[0])
	}
}

func TestKeyNeverInErrorsOrLogs(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens: connection refused, whose net/url error quotes the URL
	c := newClient(t, "http://"+addr)
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 800*1e6)
	defer cancel()
	r := c.Revoke(ctx, []provider.User{{ID: "u1"}})
	log.Error("revoke failed", "error", r[0].Err, "result", fmt.Sprintf("%+v", r[0]))
	if r[0].Outcome != provider.Failed || !provider.As(r[0].Err).Retryable() {
		t.Fatalf("%+v", r[0])
	}
	if strings.Contains(buf.String(), apiKey) || strings.Contains(r[0].Err.Error(), apiKey) {
		t.Fatalf("API key leaked: %s", buf.String())
	}
}

func TestCustomDomainAndSecretRules(t *testing.T) {
	s := providertest.NewScript(t, providertest.Step{Method: "PUT", Path: "/api/users/u1/status", Body: `{"userStatus":"ENABLED"}`, Status: 200})
	c, err := New([]byte(`{"base_url":"`+s.URL()+`/api","rate_per_second":100}`), rest.Options{AllowInsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Restore(context.Background(), []provider.User{{ID: "u1"}}); r[0].Outcome != provider.Done {
		t.Fatalf("%+v", r[0])
	}
	for _, sec := range []string{`{"application_id":"a"}`, `{"application_id":"a","api_key":"../k"}`, `{"base_url":"http://x","application_id":"a","api_key":"k"}`} {
		if _, err := New([]byte(sec), rest.Options{}); err == nil {
			t.Errorf("%s accepted", sec)
		}
	}
}

func TestListPages(t *testing.T) {
	sim := simulator.NewBackendless(appID, apiKey, simulator.Options{})
	defer sim.Close()
	for i := range 250 {
		sim.Add(simulator.User{ID: fmt.Sprintf("u%03d", i), Email: fmt.Sprintf("u%d@example.com", i), Disabled: i%10 == 0})
	}
	var n, disabled int
	err := newClient(t, sim.URL()).List(context.Background(), provider.ListQuery{Where: "userStatus = 'ENABLED' OR userStatus = 'DISABLED'"}, func(a provider.Account) bool {
		n++
		if a.Disabled {
			disabled++
		}
		return true
	})
	if err != nil || n != 250 || disabled != 25 || sim.Stats().ByRoute["query"] != 3 {
		t.Fatalf("err %v n %d disabled %d pages %d", err, n, disabled, sim.Stats().ByRoute["query"])
	}
}

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		Name: Name, Features: providertest.Features{Restore: true, Resolve: true, Verify: true, List: true, Already: true},
		ID: func(i int) string { return fmt.Sprintf("4D584E4D-05A3-4AC4-90C7-%012d", i) },
		New: func(t *testing.T) (simulator.Sim, provider.Client) {
			sim := simulator.NewBackendless(appID, apiKey, simulator.Options{})
			t.Cleanup(sim.Close)
			return sim, newClient(t, sim.URL())
		},
	})
}

func FuzzCheck(f *testing.F) {
	f.Add(200, []byte(`{"code":999}`))
	f.Add(404, []byte(`{"code":"1000","message":"x"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if err := Check(status, body); err == nil && (status < 200 || status > 299) {
			t.Fatal("non-2xx accepted")
		}
		for _, want := range []string{statusDisabled, statusEnabled} {
			err := statusCheck(want)(status, body)
			code, _, _ := errorCode(body)
			if err == nil && code != 0 && code != alreadyCode(want) {
				t.Fatalf("%s accepted an answer with code %d: %d %q", want, code, status, body)
			}
		}
		err := Check(status, body)
		if err != nil && provider.As(err).Code == message.CodeNotFound {
			code, _, _ := errorCode(body)
			if code != CodeEntityNotFound && code != CodeUserNotFound && code != CodeUserNotFound2 {
				t.Fatalf("not found without a documented code: %d %q", status, body)
			}
		}
	})
}

func FuzzParseUsers(f *testing.F) {
	f.Add([]byte(`[{"objectId":"a","email":"a@example.com","userStatus":"DISABLED","lastLogin":1700000000000}]`))
	f.Add([]byte(`{"code":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		users, err := ParseUsers(b, "look up user")
		if err != nil && len(users) > 0 {
			t.Fatal("users with an error")
		}
		for _, u := range users {
			if st := u.state(); st.Disabled && u.UserStatus != "DISABLED" {
				t.Fatal("a user read as disabled without DISABLED")
			}
		}
	})
}

// 3085 ("user already disabled") is "already" only for a disable, 3086
// ("user already enabled") only for an enable; the other combination means
// the user is in the opposite state and the change did not happen.
// (Before: either code was "already" for either change.)
func TestAlreadyOnlyForTheAskedStatus(t *testing.T) {
	tests := []struct {
		name    string
		restore bool
		status  int
		body    string
		want    provider.Outcome
	}{
		{"disable answered 3085", false, 400, `{"code":3085,"message":"User is already disabled"}`, provider.Already},
		{"disable answered 3085 with HTTP 200", false, 200, `{"code":3085,"message":"User is already disabled"}`, provider.Already},
		{"disable answered 3086", false, 400, `{"code":3086,"message":"User is already enabled"}`, provider.Failed},
		{"disable answered 3086 with HTTP 200", false, 200, `{"code":3086,"message":"User is already enabled"}`, provider.Failed},
		{"enable answered 3086", true, 400, `{"code":3086,"message":"User is already enabled"}`, provider.Already},
		{"enable answered 3085", true, 400, `{"code":3085,"message":"User is already disabled"}`, provider.Failed},
		{"enable answered 3085 with HTTP 200", true, 200, `{"code":3085,"message":"User is already disabled"}`, provider.Failed},
	}
	root := "/" + appID + "/" + apiKey
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status := "DISABLED"
			if tt.restore {
				status = "ENABLED"
			}
			s := providertest.NewScript(t, providertest.Step{Method: "PUT", Path: root + "/users/u1/status",
				Header: map[string]string{"Content-Type": "application/json"}, Body: `{"userStatus":"` + status + `"}`, Status: tt.status, RespBody: tt.body})
			c := newClient(t, s.URL())
			users := []provider.User{{ID: "u1"}}
			r := c.Revoke
			if tt.restore {
				r = c.Restore
			}
			got := r(context.Background(), users)[0]
			if got.Outcome != tt.want {
				t.Fatalf("got %+v, want %v", got, tt.want)
			}
			if tt.want == provider.Failed {
				if e := provider.As(got.Err); e.Code != message.CodeProvider || e.Retryable() || e.ProviderID == "" {
					t.Fatalf("the opposite state must be a permanent provider error: %+v", e)
				}
			}
		})
	}
}

// A proof reads up to VerifyBatch users with one where-clause search; a
// user the search does not show is read by itself, and only that read may
// say it is gone. (Before: one GET per user.)
func TestVerifyBatched(t *testing.T) {
	sim := simulator.NewBackendless(appID, apiKey, simulator.Options{})
	defer sim.Close()
	var ids []string
	var users []provider.User
	for i := range 120 {
		id := fmt.Sprintf("U-%03d", i)
		ids = append(ids, id)
		users = append(users, provider.User{ID: id})
		sim.Add(simulator.User{ID: id})
	}
	c := newClient(t, sim.URL())
	c.Revoke(context.Background(), users)
	tests := []struct {
		name     string
		ids      []string
		requests int
		gone     int // users that do not exist
	}{
		{"one user: one GET", ids[:1], 1, 0},
		{"120 users: three searches", ids, 3, 0},
		{"a user the search does not show: read by itself", append([]string{"GONE-1"}, ids[:10]...), 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := sim.Stats().Requests
			gone := 0
			for i, st := range c.Verify(context.Background(), tt.ids) {
				if st.Err != nil || !st.Known || !st.Matches(message.Revoke) {
					t.Fatalf("%s: %+v", tt.ids[i], st)
				}
				if !st.Exists {
					gone++
				}
			}
			if n := sim.Stats().Requests - before; n != tt.requests || gone != tt.gone {
				t.Fatalf("%d requests, %d gone; want %d, %d", n, gone, tt.requests, tt.gone)
			}
		})
	}
}
