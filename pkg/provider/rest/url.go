package rest

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrInsecureURL means a provider URL is not https and insecure http was
// not allowed; no credential is ever sent to it.
var ErrInsecureURL = errors.New("provider URL must use https (set ALLOW_INSECURE_HTTP=true for local runs only)")

// BaseURL checks a configured base URL: https (or http if allowInsecure),
// a host, no credentials, query or fragment. The trailing slash is dropped.
func BaseURL(raw string, allowInsecure bool) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, errors.New("not an absolute URL")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowInsecure:
	case u.Scheme == "http":
		return nil, ErrInsecureURL
	default:
		return nil, fmt.Errorf("scheme %q is not https", u.Scheme)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return nil, errors.New("must not contain credentials, a query or a fragment")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// URL joins base and path segments, escaping each segment. A segment that
// is empty, "." or ".." is refused: it would change the path.
func URL(base *url.URL, segments ...string) (string, error) {
	var b strings.Builder
	b.WriteString(base.Scheme + "://" + base.Host)
	b.WriteString(base.EscapedPath())
	for _, s := range segments {
		if s == "" || s == "." || s == ".." {
			return "", fmt.Errorf("path segment %q is not allowed", s)
		}
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String(), nil
}

// WithQuery appends an encoded query to a URL built by URL.
func WithQuery(u string, q url.Values) string {
	if len(q) == 0 {
		return u
	}
	return u + "?" + q.Encode()
}
