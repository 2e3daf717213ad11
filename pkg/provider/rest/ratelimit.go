package rest

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/revoke-dev/revoke/pkg/ratelimit"
)

// maxHeaderCount bounds a count read from a rate-limit header.
const maxHeaderCount = 1_000_000_000

// maxWindow bounds a quota window read from a rate-limit header.
const maxWindow = 24 * time.Hour

// epochThreshold: an X-RateLimit-Reset above this is a Unix time (GitHub),
// below it a number of seconds (most others).
const epochThreshold = 1_000_000_000

// ParseRateHeaders reads the rate-limit headers a provider may send:
// X-RateLimit-Limit/-Remaining/-Reset (Reset in seconds, or a Unix time as
// GitHub sends it) and the IETF draft's RateLimit-Limit/-Remaining/-Reset
// with RateLimit-Policy ("100;w=60" or `"default";q=100;w=60`), or its
// later single RateLimit field (`"default";r=50;t=30`). Anything missing,
// unparsable or out of bounds is left zero; it never fails.
func ParseRateHeaders(h http.Header, now time.Time) ratelimit.Hint {
	var hint ratelimit.Hint
	if n, ok := headerCount(h, "RateLimit-Limit", "X-RateLimit-Limit"); ok {
		hint.Limit = n
	}
	if n, ok := headerCount(h, "RateLimit-Remaining", "X-RateLimit-Remaining"); ok {
		hint.Remaining, hint.HasRemaining = n, true
	}
	if v := h.Get("RateLimit-Reset"); v != "" {
		hint.Reset = seconds(v)
	} else if v := h.Get("X-RateLimit-Reset"); v != "" {
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && n > epochThreshold {
			hint.Reset = min(max(time.Unix(n, 0).Sub(now), 0), MaxRetryAfter)
		} else {
			hint.Reset = seconds(v)
		}
	}
	if v := h.Get("RateLimit-Policy"); v != "" {
		q, w := policy(v)
		if q > 0 && w > 0 {
			hint.Limit, hint.Window = q, w
		}
	}
	if v := h.Get("RateLimit"); v != "" && !hint.HasRemaining {
		params := paramsOf(firstItem(v))
		if r, ok := count(params["r"]); ok {
			hint.Remaining, hint.HasRemaining = r, true
		}
		if t, ok := params["t"]; ok {
			hint.Reset = seconds(t)
		}
	}
	return hint
}

// headerCount is the leading count of the first header present ("100",
// or "100, 100;w=60" as an older draft lists its policies).
func headerCount(h http.Header, names ...string) (int, bool) {
	for _, name := range names {
		if v := h.Get(name); v != "" {
			lead, _, _ := strings.Cut(firstItem(v), ";")
			return count(lead)
		}
	}
	return 0, false
}

// policy reads a quota and its window from the first policy listed.
func policy(v string) (int, time.Duration) {
	item := firstItem(v)
	params := paramsOf(item)
	q, ok := count(params["q"])
	if !ok { // the older draft: the bare quota first, "100;w=60"
		lead, _, _ := strings.Cut(item, ";")
		q, _ = count(lead)
	}
	w, ok := count(params["w"])
	if !ok || time.Duration(w)*time.Second > maxWindow {
		return 0, 0
	}
	return q, time.Duration(w) * time.Second
}

// firstItem is a list field's first member.
func firstItem(v string) string {
	item, _, _ := strings.Cut(v, ",")
	return strings.TrimSpace(item)
}

// paramsOf reads "k=v" parameters after the first ";".
func paramsOf(item string) map[string]string {
	out := map[string]string{}
	parts := strings.Split(item, ";")
	for _, p := range parts[min(1, len(parts)):] {
		if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && len(out) < 16 {
			out[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	return out
}

// count is a non-negative bounded integer.
func count(v string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n > maxHeaderCount {
		return 0, false
	}
	return n, true
}

// seconds is a delay in whole seconds, capped like Retry-After.
func seconds(v string) time.Duration {
	n, ok := count(v)
	if !ok {
		return 0
	}
	return min(time.Duration(n)*time.Second, MaxRetryAfter)
}

// hasRateHeaders reports whether a response carries any of them (most
// providers send none: no parse).
func hasRateHeaders(h http.Header) bool {
	for k := range h {
		if strings.HasPrefix(k, "Ratelimit") || strings.HasPrefix(k, "X-Ratelimit") {
			return true
		}
	}
	return false
}
