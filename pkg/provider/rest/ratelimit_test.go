package rest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/pkg/ratelimit"
)

func TestParseRateHeaders(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name string
		h    map[string]string
		want ratelimit.Hint
	}{
		{"none", nil, ratelimit.Hint{}},
		{"x-ratelimit with a delay reset", map[string]string{"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "7"},
			ratelimit.Hint{Limit: 100, HasRemaining: true, Reset: 7 * time.Second}},
		{"x-ratelimit with a Unix-time reset (GitHub)", map[string]string{"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "12", "X-RateLimit-Reset": "1800000030"},
			ratelimit.Hint{Limit: 5000, Remaining: 12, HasRemaining: true, Reset: 30 * time.Second}},
		{"ietf draft with policy", map[string]string{"RateLimit-Limit": "100", "RateLimit-Remaining": "40", "RateLimit-Reset": "3", "RateLimit-Policy": "100;w=10"},
			ratelimit.Hint{Limit: 100, Window: 10 * time.Second, Remaining: 40, HasRemaining: true, Reset: 3 * time.Second}},
		{"later draft: structured policy and RateLimit", map[string]string{"RateLimit-Policy": `"default";q=50;w=1`, "RateLimit": `"default";r=0;t=2`},
			ratelimit.Hint{Limit: 50, Window: time.Second, HasRemaining: true, Reset: 2 * time.Second}},
		{"an older draft's list of policies", map[string]string{"RateLimit-Limit": "10, 10;w=1, 1000;w=3600"}, ratelimit.Hint{Limit: 10}},
		{"garbage and out of range are ignored", map[string]string{"X-RateLimit-Limit": "-1", "X-RateLimit-Remaining": "lots", "RateLimit-Policy": "10;w=99999999", "X-RateLimit-Reset": "99999999999999999999"},
			ratelimit.Hint{}},
		{"a huge reset is capped", map[string]string{"RateLimit-Reset": "86400"}, ratelimit.Hint{Reset: MaxRetryAfter}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.h {
				h.Set(k, v)
			}
			if got := ParseRateHeaders(h, now); got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func FuzzParseRateHeaders(f *testing.F) {
	f.Add("100", "0", "7", "100;w=10", `"default";r=1;t=2`)
	f.Add("10, 10;w=1", "x", "1800000030", `"p";q=5;w=1`, "")
	f.Fuzz(func(t *testing.T, limit, remaining, reset, policy, combined string) {
		h := http.Header{}
		h.Set("X-RateLimit-Limit", limit)
		h.Set("RateLimit-Remaining", remaining)
		h.Set("X-RateLimit-Reset", reset)
		h.Set("RateLimit-Policy", policy)
		h.Set("RateLimit", combined)
		got := ParseRateHeaders(h, time.Unix(1_800_000_000, 0))
		if got.Limit < 0 || got.Limit > maxHeaderCount || got.Remaining < 0 || got.Reset < 0 || got.Reset > MaxRetryAfter || got.Window < 0 || got.Window > maxWindow {
			t.Fatalf("out of bounds: %+v", got)
		}
	})
}

// TestClientLearnsFromRateHeaders: a provider's quota headers set an
// undeclared connection's rate; a declared rate ignores them.
func TestClientLearnsFromRateHeaders(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("RateLimit-Policy", "40;w=2")
		w.Header().Set("RateLimit-Remaining", "30")
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	tests := []struct {
		name     string
		settings Settings
		want     float64
	}{
		{"no rate declared: the headers' 20/s with headroom", Settings{}, 20 * Headroom},
		{"declared 4/s wins", Settings{RatePerSecond: 4}, 4 * Headroom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := (Options{AllowInsecureHTTP: true}).NewClient(Profile{Provider: "t", DefaultRate: 1000}, tt.settings, nil)
			if _, err := c.Do(context.Background(), Request{Op: "read", Method: http.MethodGet, URL: srv.URL}); err != nil {
				t.Fatal(err)
			}
			if got := c.Limiter.Rate(); got != tt.want {
				t.Fatalf("rate %v, want %v", got, tt.want)
			}
		})
	}
}
