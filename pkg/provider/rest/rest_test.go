package rest

import (
	"net/url"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tests := map[string]time.Duration{
		"":                               0,
		"3":                              3 * time.Second,
		" 7 ":                            7 * time.Second,
		"-1":                             0,
		"0":                              0,
		"abc":                            0,
		"99999999":                       MaxRetryAfter,
		"Mon, 23 Nov 2026 10:00:05 GMT":  5 * time.Second,
		"Mon, 23 Nov 2026 09:00:00 GMT":  0,
		"Sunday, 06-Nov-94 08:49:37 GMT": 0,
	}
	for in, want := range tests {
		if got := ParseRetryAfter(in, now); got != want {
			t.Errorf("%q: %v, want %v", in, got, want)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	f.Add("120")
	f.Add("Wed, 21 Oct 2015 07:28:00 GMT")
	f.Fuzz(func(t *testing.T, s string) {
		if d := ParseRetryAfter(s, time.Now()); d < 0 || d > MaxRetryAfter {
			t.Fatalf("%q: %v", s, d)
		}
	})
}

func TestURL(t *testing.T) {
	base, err := BaseURL("https://api.example.com/api/v4/dep/", false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := URL(base, "users", "a b/c?d#e", "lock")
	if err != nil || got != "https://api.example.com/api/v4/dep/users/a%20b%2Fc%3Fd%23e/lock" {
		t.Fatalf("%s %v", got, err)
	}
	for _, bad := range []string{"..", ".", ""} {
		if _, err := URL(base, "users", bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	u, _ := url.Parse(got)
	if u.Host != "api.example.com" {
		t.Fatal("host changed")
	}
	for _, bad := range []string{"http://x.example", "ftp://x.example", "https://u:p@x.example", "https://x.example?q=1", "/relative", "https://"} {
		if _, err := BaseURL(bad, false); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := BaseURL("http://127.0.0.1:9/x", true); err != nil {
		t.Errorf("http with allowInsecure: %v", err)
	}
}
