package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/pkg/awstest"
	"github.com/revoke-dev/revoke/pkg/runtimeapi"
	"github.com/revoke-dev/revoke/pkg/simulator"
)

const eventToken = "local-dev-token-change-me-0123456789"

// build compiles the functions once per test binary.
func build(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, fn := range []string{"api", "consumer", "sweep"} {
		out := filepath.Join(dir, fn, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w -buildid=", "-o", out, "../../functions/"+fn)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", fn, err, b)
		}
	}
	return dir
}

type world struct {
	aws    *awstest.Env
	queue  string
	dlq    string
	prefix string
	*simulator.Fleet
	bin     string
	baseEnv map[string]string
}

func newWorld(t *testing.T) *world {
	w := &world{aws: awstest.New(t)}
	w.bin = build(t)
	w.queue, w.dlq = w.aws.QueueWithDLQ(t, "e2e", 5, 30*time.Second)
	w.prefix = awstest.Unique("e2e") + "/"
	w.Fleet = simulator.StartFleet(nil)
	t.Cleanup(w.Fleet.Close)
	w.aws.Secret(t, w.prefix+"api-tokens", `{"tokens":["`+eventToken+`"]}`)
	for conn, v := range w.Secrets(simulator.Uniform(simulator.Settings{})) {
		w.aws.Secret(t, w.prefix+conn, v)
	}
	w.baseEnv = map[string]string{
		"CONNECTIONS": simulator.FleetConnections, "SECRET_PREFIX": w.prefix,
		"QUEUE_URL": w.queue, "DLQ_URL": w.dlq, "API_TOKENS_SECRET_ID": w.prefix + "api-tokens", "ALLOW_INSECURE_HTTP": "true",
	}
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		w.baseEnv[k] = os.Getenv(k)
	}
	// The users the sample events name.
	w.JA.Add(simulator.User{ID: "ad66ab80-4d54-11ea-b7e8-77bec61efea5", Email: "bob@example.com"})
	w.BL.Add(simulator.User{ID: "4D584E4D-05A3-4AC4-90C7-B80D1584E7AD", Email: "alice@example.com"})
	w.MX.Add(simulator.User{ID: "6f1e7f5e-1111-4a6b-9c1d-000000000001", Email: "alice@example.com"})
	w.SC.Add(simulator.User{ID: "2819c223-7f76-453a-919d-413861904646", Email: "bob@example.com"})
	return w
}

func (w *world) invoke(t *testing.T, fn, file string) runtimeapi.Result {
	t.Helper()
	event, err := os.ReadFile(filepath.Join("..", "..", "events", file))
	if err != nil {
		t.Fatal(err)
	}
	s, err := runtimeapi.Start(context.Background(), runtimeapi.Options{Bootstrap: filepath.Join(w.bin, fn, "bootstrap"), Env: w.baseEnv, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.Invoke(context.Background(), event)
	if err != nil {
		t.Fatal(err)
	}
	if res.Error != nil {
		t.Fatalf("%s %s: function error %v\n%s", fn, file, res.Error, s.Output())
	}
	for _, secret := range append(w.Credentials(), eventToken) {
		if strings.Contains(s.Output(), secret) {
			t.Fatalf("%s %s: a secret reached the log", fn, file)
		}
	}
	return res
}

type httpResp struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

func (w *world) api(t *testing.T, file string) (httpResp, map[string]any) {
	t.Helper()
	var r httpResp
	if err := json.Unmarshal(w.invoke(t, "api", file).Payload, &r); err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
		t.Fatalf("%s: body %q", file, r.Body)
	}
	return r, body
}

// TestEveryEvent drives the built bootstraps with every file in events/.
func TestEveryEvent(t *testing.T) {
	w := newWorld(t)
	checks := map[string]func(t *testing.T){
		"api-revoke.json": func(t *testing.T) {
			r, b := w.api(t, "api-revoke.json")
			if r.StatusCode != 202 || b["accepted"] != float64(7) || b["request_id"] == "" {
				t.Fatalf("%d %v", r.StatusCode, b)
			}
		},
		"api-restore.json": func(t *testing.T) {
			if r, b := w.api(t, "api-restore.json"); r.StatusCode != 202 || b["accepted"] != float64(2) {
				t.Fatalf("%d %v", r.StatusCode, b)
			}
		},
		"api-invalid.json": func(t *testing.T) {
			r, b := w.api(t, "api-invalid.json")
			if e, _ := b["error"].(map[string]any); r.StatusCode != 400 || e["field"] != "targets[0].user_id" {
				t.Fatalf("%d %v", r.StatusCode, b)
			}
		},
		"okta-verification.json": func(t *testing.T) {
			if r, b := w.api(t, "okta-verification.json"); r.StatusCode != 200 || b["verification"] != "X8hVvDNMbP1RhFEkeCPyqbGW7FBxdBtPd7Kw1ByV" {
				t.Fatalf("%d %v", r.StatusCode, b)
			}
		},
		"okta-event.json": func(t *testing.T) {
			if r, b := w.api(t, "okta-event.json"); r.StatusCode != 200 || b["accepted"] != float64(4) || b["ignored"] != float64(1) {
				t.Fatalf("%d %v", r.StatusCode, b)
			}
		},
		"sqs-batch.json": func(t *testing.T) {
			var resp struct {
				BatchItemFailures []struct{ ItemIdentifier string } `json:"batchItemFailures"`
			}
			payload := w.invoke(t, "consumer", "sqs-batch.json").Payload
			if err := json.Unmarshal(payload, &resp); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(payload), `"batchItemFailures":[]`) {
				t.Errorf("no failures must be an empty list, got %s", payload)
			}
			if len(resp.BatchItemFailures) != 0 {
				t.Fatalf("failures %v", resp.BatchItemFailures)
			}
			for _, u := range []struct {
				sim interface {
					User(string) (simulator.User, bool)
				}
				id string
			}{{w.JA, "ad66ab80-4d54-11ea-b7e8-77bec61efea5"}, {w.BL, "4D584E4D-05A3-4AC4-90C7-B80D1584E7AD"}, {w.MX, "6f1e7f5e-1111-4a6b-9c1d-000000000001"}, {w.SC, "2819c223-7f76-453a-919d-413861904646"}} {
				if got, _ := u.sim.User(u.id); !got.Disabled {
					t.Errorf("%s not revoked", u.id)
				}
			}
			dlq := w.aws.Drain(t, w.dlq)
			if len(dlq) != 1 || *dlq[0].MessageAttributes["error_code"].StringValue != "not_found" || *dlq[0].MessageAttributes["connection"].StringValue != "field-app" {
				t.Fatalf("DLQ %v", dlq)
			}
		},
		"schedule.json": func(t *testing.T) {
			var r struct {
				Complete bool `json:"complete"`
				Redrive  *struct {
					Examined int `json:"examined"`
				} `json:"redrive"`
			}
			if err := json.Unmarshal(w.invoke(t, "sweep", "schedule.json").Payload, &r); err != nil || !r.Complete || r.Redrive == nil {
				t.Fatalf("%+v %v", r, err)
			}
		},
		"sweep-input.json": func(t *testing.T) {
			var r struct {
				DryRun   bool `json:"dry_run"`
				Inactive []struct {
					Connection, Status string
				} `json:"inactive"`
			}
			if err := json.Unmarshal(w.invoke(t, "sweep", "sweep-input.json").Payload, &r); err != nil || !r.DryRun || len(r.Inactive) != 2 || r.Inactive[0].Status != "ok" || r.Inactive[1].Status != "ok" {
				t.Fatalf("%+v %v", r, err)
			}
		},
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "events", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	for _, f := range files {
		name := filepath.Base(f)
		if name == "env.json" {
			continue
		}
		check, ok := checks[name]
		if !ok {
			t.Errorf("events/%s has no end-to-end check", name)
			continue
		}
		t.Run(name, check)
	}
}

// TestInitFailsClosedOnBadConfig: a misconfigured function reports an init
// error through the Runtime API instead of serving.
func TestInitFailsClosedOnBadConfig(t *testing.T) {
	awstest.New(t)
	bin := build(t)
	_, err := runtimeapi.Start(context.Background(), runtimeapi.Options{Bootstrap: filepath.Join(bin, "api", "bootstrap"), Env: map[string]string{"CONNECTIONS": "Bad Name=scim"}})
	if err == nil || !strings.Contains(err.Error(), "CONNECTIONS") {
		t.Fatalf("err = %v", err)
	}
}
