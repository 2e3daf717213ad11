package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzHandle drives the whole handler — routing, headers, base64 bodies,
// query strings — with arbitrary requests: it never panics or answers 500,
// always answers JSON (or CSV) with a request id, and a caller without a
// valid token never gets anything queued.
func FuzzHandle(f *testing.F) {
	f.Add("POST", "/revocations", validBody, false, "Bearer "+token, "application/json", "", "")
	f.Add("POST", "/revocations", base64.StdEncoding.EncodeToString([]byte(validBody)), true, "Bearer "+token, "application/json; charset=utf-8", "", "k1")
	f.Add("GET", "/revocations/"+"3f6c1b2e-7d4a-4c1e-9b8f-2a5d6e7f8a90", "", false, "Bearer "+readToken, "", "format=csv", "")
	f.Add("GET", "/revocations", "", false, "bearer "+token, "", "email=a@example.com", "")
	f.Add("GET", "/revocations/"+"3f6c1b2e-7d4a-4c1e-9b8f-2a5d6e7f8a90", "", false, "Bearer "+readToken, "", "cursor=bzo5MjIzMzcyMDM2ODU0Nzc1ODA3&limit=1000", "")
	f.Add("POST", "/hooks/okta", oktaDelivery, false, "Bearer "+oktaToken, "application/json", "", "")
	f.Add("PUT", "/scim/v2/Users/x", "{}", false, "Bearer x", "application/scim+json", "", "")
	f.Fuzz(func(t *testing.T, method, path, body string, b64 bool, authz, ctype, query, key string) {
		e := newEnv(t, nil)
		r := httpReq(method, path, body, map[string]string{"authorization": authz, "content-type": ctype, "idempotency-key": key})
		r.IsBase64Encoded = b64
		if query != "" {
			r.QueryStringParameters = map[string]string{}
			for _, kv := range splitQuery(query) {
				r.QueryStringParameters[kv[0]] = kv[1]
			}
		}
		resp, err := e.h.Handle(context.Background(), r)
		if err != nil || resp.StatusCode == 500 || resp.Headers["X-Request-Id"] == "" {
			t.Fatalf("%v %d %v", err, resp.StatusCode, resp.Headers)
		}
		if resp.Headers["Content-Type"] == "application/json" && !json.Valid([]byte(resp.Body)) {
			t.Fatalf("invalid JSON answer %q", resp.Body)
		}
		valid := authz == "Bearer "+token || authz == "Bearer "+oktaToken || authz == "Bearer "+readToken
		if !valid && len(e.q.Sent()) > 0 {
			t.Fatalf("%q got %d messages queued", authz, len(e.q.Sent()))
		}
	})
}

func splitQuery(q string) [][2]string {
	var out [][2]string
	for _, part := range strings.Split(q, "&") {
		k, v, _ := strings.Cut(part, "=")
		out = append(out, [2]string{k, v})
	}
	return out
}
