package consumer

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/retry"
)

// acme is a fifth provider added the way README's "Adding a provider"
// says: (1) a client package with a New and the interfaces it can serve
// (here: Client and Verifier), over package rest; (2) one registry entry;
// (3) a simulator. Nothing else in revoke names it.
type acme struct {
	http *rest.Client
	base string
}

func newAcme(raw []byte, o rest.Options) (*acme, error) {
	var s struct {
		URL string `json:"url"`
		Key string `json:"key"`
		rest.Settings
	}
	if err := rest.DecodeSecret("acme", raw, &s, &s.Settings); err != nil {
		return nil, err
	}
	if err := rest.Required("acme", "key", s.Key); err != nil {
		return nil, err
	}
	u, err := rest.SecretURL("acme", "url", s.URL, o.AllowInsecureHTTP)
	if err != nil {
		return nil, err
	}
	key := s.Key
	profile := rest.Profile{Provider: "acme", DefaultRate: 10, Policy: retry.Policy{Attempts: 2, Base: 10 * time.Millisecond}}
	return &acme{http: o.NewClient(profile, s.Settings, func(h http.Header) { h.Set("X-Key", key) }, key), base: u.String()}, nil
}

func (a *acme) Revoke(ctx context.Context, users []provider.User) []provider.Result {
	return rest.ApplyEach(ctx, users, 4, func(ctx context.Context, u provider.User) provider.Result {
		return rest.Outcome(a.http.Do(ctx, rest.Request{Op: "disable", Method: http.MethodPost, URL: a.base + "/accounts/" + u.ID + "/disable"}))
	})
}

func (a *acme) Verify(ctx context.Context, ids []string) []provider.State {
	return rest.VerifyEach(ctx, ids, 4, func(ctx context.Context, id string) provider.State {
		resp, err := a.http.Do(ctx, rest.Request{Op: "read", Method: http.MethodGet, URL: a.base + "/accounts/" + id})
		if err != nil {
			return provider.StateErr(err)
		}
		var acct struct{ Disabled bool }
		_ = json.Unmarshal(resp.Body, &acct)
		return provider.State{Known: true, Exists: true, Disabled: acct.Disabled}
	})
}

// acmeSim is acme's simulator.
type acmeSim struct {
	mu       sync.Mutex
	disabled map[string]bool
	srv      *httptest.Server
}

func newAcmeSim(t *testing.T) *acmeSim {
	s := &acmeSim{disabled: map[string]bool{"a1": false}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		id, verb, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/accounts/"), "/")
		if _, ok := s.disabled[id]; !ok || r.Header.Get("X-Key") != "acme-key-0123456789" {
			http.NotFound(w, r)
			return
		}
		if verb == "disable" {
			s.disabled[id] = true
		}
		_ = json.NewEncoder(w).Encode(map[string]bool{"disabled": s.disabled[id]})
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// A client that panics takes only its own connection's targets down, as
// retries.
type panicky struct{}

func (panicky) Revoke(context.Context, []provider.User) []provider.Result { panic("a bug") }

func TestAddingAProvider(t *testing.T) {
	sim := newAcmeSim(t)
	scim := simulator.NewSCIM("scim-token-0123456789", simulator.Options{})
	defer scim.Close()
	scim.Add(simulator.User{ID: "s1"})
	reg := registry.Builtin().With(
		registry.Define("acme", newAcme),
		registry.Define("panicky", func([]byte, rest.Options) (panicky, error) { return panicky{}, nil }),
	)
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"CONNECTIONS": "tools=acme,boom=panicky,wiki=scim", "ALLOW_INSECURE_HTTP": "true", "DLQ_URL": "dlq"}[k]
	})
	if err == nil {
		err = reg.Check(cfg.Connections)
	}
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := reg.Kind("acme"); !k.Can(registry.Verify) || k.Can(registry.Restore) || k.Can(registry.Resolve) {
		t.Fatalf("acme capabilities %v", k.Capabilities())
	}
	w := newWorld(t, simulator.Options{})
	w.cfg, w.reg = cfg, reg
	w.store = &inmem.Secrets{}
	w.store.Put("revoke/tools", `{"url":"`+sim.srv.URL+`","key":"acme-key-0123456789","rate_per_second":100}`)
	w.store.Put("revoke/boom", `{}`)
	w.store.Put("revoke/wiki", simulator.SecretJSON(scim, simulator.Settings{RatePerSecond: 100}))
	dlq := &fakeDLQ{}
	resp, _ := w.consumer(dlq).Handle(context.Background(), event(t, msg("tools", "acme", "a1", ""), msg("boom", "panicky", "b1", ""), msg("wiki", "scim", "s1", "")))
	if f := failures(resp); len(f) != 1 || !f["m1"] || len(dlq.sent) != 0 {
		t.Fatalf("failures %v dlq %v", f, dlq.sent)
	}
	if !sim.disabled["a1"] {
		t.Fatal("acme account not disabled")
	}
	if u, _ := scim.User("s1"); !u.Disabled {
		t.Fatal("a panic on another connection stopped this one")
	}
	out := w.outcomes(t)
	if o := out["u:a1#tools"]; o.Outcome != message.Done || o.Verified == nil || !*o.Verified {
		t.Fatalf("acme: %+v", o)
	}
	if o := out["u:b1#boom"]; o.Outcome != message.Retrying || !strings.Contains(o.Message, "panic") {
		t.Fatalf("panicky: %+v", o)
	}
	if strings.Contains(w.log.String(), "a bug") || !strings.Contains(w.log.String(), "goroutine") {
		t.Fatal("the stack (not the panic value) must be logged")
	}
}
