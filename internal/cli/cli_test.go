package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/internal/awstest"
)

func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHelpAndUsage(t *testing.T) {
	if code, out, _ := run(t, "", "help"); code != ExitOK || !strings.Contains(out, "dlq") || !strings.Contains(out, "Exit codes") {
		t.Errorf("help: %d %s", code, out)
	}
	if code, _, _ := run(t, ""); code != ExitUsage {
		t.Errorf("no args: %d", code)
	}
	if code, _, errs := run(t, "", "frobnicate"); code != ExitUsage || !strings.Contains(errs, "unknown command") {
		t.Errorf("unknown: %d %s", code, errs)
	}
	for _, c := range []string{"invoke", "send", "validate", "demo"} {
		if code, _, errs := run(t, "", c, "-h"); code != ExitOK || !strings.Contains(errs, "Usage: revokectl "+c) {
			t.Errorf("%s -h: %d %s", c, code, errs)
		}
	}
}

func TestValidate(t *testing.T) {
	const tok = "super-secret-token-value-42"
	good := write(t, "ok.json", `{"api_url":"https://run-eu.journeyapps.com/api/v4/5ccc21b059023f38788ac5c3","token":"`+tok+`"}`)
	code, out, errs := run(t, "", "validate", "journeyapps", good)
	if code != ExitOK || !strings.Contains(out, "ok: valid journeyapps secret") || strings.Contains(out+errs, tok) {
		t.Errorf("valid: %d %q %q", code, out, errs)
	}
	bad := write(t, "bad.json", `{"api_url":"http://run-eu.journeyapps.com/api/v4/x","token":"`+tok+`"}`)
	code, out, errs = run(t, "", "validate", "journeyapps", bad)
	if code != ExitFail || !strings.Contains(errs, "https") || strings.Contains(out+errs, tok) {
		t.Errorf("http url: %d %q %q", code, out, errs)
	}
	if code, _, _ := run(t, `{"pat":"x"}`, "validate", "mendix", "-"); code != ExitOK {
		t.Errorf("stdin: %d", code)
	}
	if code, _, errs := run(t, "", "validate", "journeyapps", "/nonexistent.json"); code != ExitUsage || !strings.Contains(errs, "no such file") {
		t.Errorf("missing file: %d %s", code, errs)
	}
	if code, _, _ := run(t, "", "validate", "journeyapps", write(t, "x.json", "{nope")); code != ExitUsage {
		t.Errorf("invalid json: %d", code)
	}
	if code, _, _ := run(t, "", "validate", "salesforce", good); code != ExitUsage {
		t.Errorf("unknown provider: %d", code)
	}
}

func TestSend(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer good-token-0123456789" || r.URL.Path != "/revocations" || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"error":{"code":"unauthorized","message":"missing or invalid bearer token"}}`))
			return
		}
		w.WriteHeader(202)
		_, _ = w.Write([]byte(`{"request_id":"r-1","accepted":1}`))
	}))
	defer srv.Close()
	req := write(t, "req.json", `{"targets":[{"connection":"crm","user_id":"a"}]}`)
	t.Setenv("REVOKE_API_TOKEN", "good-token-0123456789")
	if code, out, errs := run(t, "", "send", "--url", srv.URL, "--insecure", req); code != ExitOK || !strings.Contains(out, `"accepted":1`) {
		t.Errorf("send: %d %s %s", code, out, errs)
	}
	if code, _, errs := run(t, "", "send", "--url", srv.URL, req); code != ExitUsage || !strings.Contains(errs, "refusing") {
		t.Errorf("plain http without --insecure: %d %s", code, errs)
	}
	t.Setenv("REVOKE_API_TOKEN", "wrong")
	if code, out, errs := run(t, "", "send", "--url", srv.URL, "--insecure", req); code != ExitFail || !strings.Contains(out, "unauthorized") || !strings.Contains(errs, "401") {
		t.Errorf("wrong token: %d %s %s", code, out, errs)
	}
	t.Setenv("REVOKE_API_TOKEN", "")
	if code, _, errs := run(t, "", "send", "--url", srv.URL, "--insecure", req); code != ExitUsage || !strings.Contains(errs, "REVOKE_API_TOKEN") {
		t.Errorf("no token: %d %s", code, errs)
	}
	t.Setenv("REVOKE_API_TOKEN", "good-token-0123456789")
	if code, _, _ := run(t, "", "send", "--url", srv.URL, "--insecure", "/nonexistent.json"); code != ExitUsage {
		t.Errorf("missing file: %d", code)
	}
	if code, _, _ := run(t, "", "send", "--url", srv.URL, "--insecure", write(t, "bad.json", "revoke bob")); code != ExitUsage {
		t.Errorf("invalid json: %d", code)
	}
}

func TestInvoke(t *testing.T) {
	if code, _, _ := run(t, "", "invoke", "nope", "x.json"); code != ExitUsage {
		t.Errorf("unknown function: %d", code)
	}
	if code, _, _ := run(t, "", "invoke", "api", "/nonexistent.json"); code != ExitUsage {
		t.Errorf("missing event: %d", code)
	}
	event := "../../events/okta-verification.json"
	if code, _, errs := run(t, "", "invoke", "--bootstrap", "/nonexistent/bootstrap", "api", event); code != ExitUsage || !strings.Contains(errs, "make build-host") {
		t.Errorf("missing bootstrap: %d %s", code, errs)
	}
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, "../../functions/api")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	// The Okta routes always take a bearer token with the okta scope, from
	// the tokens secret: on moto.
	e := awstest.New(t)
	secretID := awstest.Unique("revoke-auth/api-tokens")
	e.Secret(t, secretID, `{"tokens":[{"name":"okta","token":"local-dev-token-change-me-0123456789","scopes":["okta","revoke"]}]}`)
	t.Setenv("API_TOKENS_SECRET_ID", secretID)
	code, out, errs := run(t, "", "invoke", "--env-file", "../../events/env.json", "--bootstrap", bin, "--quiet", "api", event)
	if code != ExitOK || !strings.Contains(out, `"statusCode":200`) || !strings.Contains(out, "X8hVvDNMbP1RhFEkeCPyqbGW7FBxdBtPd7Kw1ByV") {
		t.Fatalf("invoke: %d %s %s", code, out, errs)
	}
	// A request the API refuses is refused before anything is written.
	code, out, errs = run(t, "", "invoke", "--env-file", "../../events/env.json", "--bootstrap", bin, "--quiet", "api", "../../events/api-invalid.json")
	if code != ExitOK || !strings.Contains(out, `"statusCode":400`) || !strings.Contains(out, "user_id") {
		t.Fatalf("invalid: %d %s %s", code, out, errs)
	}
}

func TestDemo(t *testing.T) {
	code, out, errs := run(t, "", "demo", "--team", "60")
	if code != ExitOK {
		t.Fatalf("demo exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"connection", "field-app", "journeyapps", "total", "61 ", "none lost", "ja-departed-404: not_found",
		"drift found: crm BL-DANA", "sc-old-contractor revoked, sc-backup-bot kept (excepted)", "requested by token:sha256:", ", done 4\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "map[") {
		t.Errorf("demo output prints a Go map:\n%s", out)
	}
}
