package rest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter caps what a server may ask revoke to wait.
const MaxRetryAfter = 15 * time.Minute

// ParseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date.
// Anything unparsable, negative or in the past is zero.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		return time.Duration(n) * time.Second
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	return min(max(t.Sub(now), 0), MaxRetryAfter)
}
