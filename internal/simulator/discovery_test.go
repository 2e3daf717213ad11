package simulator

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/fakeclock"
	"github.com/revoke-dev/revoke/pkg/provider/backendless"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/ratelimit"
	"github.com/revoke-dev/revoke/pkg/retry"
)

// TestRateDiscoveryAgainstHiddenLimit: a connection that declares no rate
// finds each simulator's hidden limit (5, 10 and 50 requests/s) from its
// answers alone: 429s (JourneyApps, SCIM), code 999 with HTTP 200
// (Backendless), 429s with Retry-After, or the RateLimit or X-RateLimit
// headers a SCIM server may send (the latter with no window: no request
// remaining pauses every caller until the reset). Time is
// a fake clock shared by the limiter and the simulator: 2 ms per call, the
// limiter's waits move it, nothing depends on the wall clock.
func TestRateDiscoveryAgainstHiddenLimit(t *testing.T) {
	type request func(sim Sim, id string) rest.Request
	scimRead := func(sim Sim, id string) rest.Request {
		return rest.Request{Op: "read user", Method: http.MethodGet, URL: sim.(*SCIM).BaseURL() + "/Users/" + id}
	}
	jaRead := func(sim Sim, id string) rest.Request {
		return rest.Request{Op: "read user", Method: http.MethodGet, URL: sim.(*JourneyApps).APIURL() + "/users/" + id}
	}
	blRead := func(sim Sim, id string) rest.Request {
		f := sim.SecretFields()
		return rest.Request{Op: "read user", Method: http.MethodGet, Check: backendless.Check,
			URL: fmt.Sprintf("%s/%s/%s/data/Users/%s", f["base_url"], f["application_id"], f["api_key"], id)}
	}
	tests := []struct {
		name      string
		kind      string
		limit     float64
		opts      Options
		read      request
		maxFirst5 int // 429s allowed while it converges
	}{
		{"scim 429s, hidden 5/s", "scim", 5, Options{}, scimRead, 10},
		{"scim 429s, hidden 50/s", "scim", 50, Options{}, scimRead, 40},
		{"scim RateLimit headers, hidden 50/s", "scim", 50, Options{RateHeaders: true}, scimRead, 0},
		{"scim X-RateLimit headers, hidden 50/s", "scim", 50, Options{XRateHeaders: true}, scimRead, 0},
		{"scim 429s with Retry-After, hidden 5/s", "scim", 5, Options{RetryAfter: true}, scimRead, 10},
		{"journeyapps 429s, hidden 10/s", "journeyapps", 10, Options{}, jaRead, 15},
		{"backendless 999 with HTTP 200, hidden 10/s", "backendless", 10, Options{}, blRead, 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := fakeclock.NewAuto()
			o := tt.opts
			o.RatePerSecond, o.Burst, o.Now = tt.limit, int(tt.limit), clk.Now
			sim := Starters[tt.kind]("discovery-credential-0123456789", o)
			defer sim.Close()
			if bl, ok := sim.(*Backendless); ok {
				bl.RateLimit200 = true // before the first request
			}
			sim.Add(User{ID: "u1", Email: "u1@example.com"})
			lim := ratelimit.New(1, 1, ratelimit.WithClock(clk))
			lim.Discover(10*rest.Headroom, 1) // the providers' default share
			f := sim.SecretFields()
			c := &rest.Client{HTTP: rest.NewHTTPClient(), Limiter: lim, Policy: retry.Policy{Attempts: 1}, Provider: tt.kind, Now: clk.Now,
				Authorize: func(h http.Header) {
					if tok, ok := f["token"].(string); ok {
						h.Set("Authorization", "Bearer "+tok)
					}
				}}
			run := func(span time.Duration) (sent int) {
				end := clk.Now().Add(span)
				for clk.Now().Before(end) {
					_, _ = c.Do(context.Background(), tt.read(sim, "u1"))
					clk.Advance(2 * time.Millisecond)
					sent++
				}
				return sent
			}
			run(5 * time.Second)
			first := sim.Stats().RateLimited
			sent := run(60 * time.Second)
			st := sim.Stats()
			late := st.RateLimited - first
			served := sent - late
			t.Logf("converging: %d 429s; then %d requests in 60 s, %d served (%.1f/s), %d 429s; rate %.2f",
				first, sent, served, float64(served)/60, late, lim.Rate())
			if first > tt.maxFirst5 {
				t.Errorf("%d 429s while converging (the first 5 s), want at most %d", first, tt.maxFirst5)
			}
			if float64(served)/60 < tt.limit/1.3 {
				t.Errorf("served %.2f/s of a hidden %v/s: wall would pass 1.3x the bound", float64(served)/60, tt.limit)
			}
			if float64(late) > 0.03*float64(sent) {
				t.Errorf("%d of %d requests answered 429 after converging (> 3 %%)", late, sent)
			}
		})
	}
}
