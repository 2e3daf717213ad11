package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// loadTemplate reads template.yaml with cfn-lint's YAML loader (it knows the
// short-form intrinsics like !Ref), installed for `make test` anyway.
func loadTemplate(t *testing.T) map[string]any {
	t.Helper()
	out, err := exec.Command("python3", "-c", `import json
from cfnlint.decode import cfn_yaml
print(json.dumps(cfn_yaml.load("../../template.yaml"), default=str))`).Output()
	if err != nil {
		if os.Getenv("REVOKE_MOTO") == "1" {
			t.Fatalf("cannot load template.yaml with cfn-lint's loader: %v", err)
		}
		t.Skip("python3 with cfn-lint is not available")
	}
	var tpl map[string]any
	if err := json.Unmarshal(out, &tpl); err != nil {
		t.Fatal(err)
	}
	return tpl
}

func m(v any, path ...string) any {
	for _, p := range path {
		mm, _ := v.(map[string]any)
		v = mm[p]
	}
	return v
}

// TestTemplateWiring checks what cfn-lint cannot: that the template, the
// Makefile and the configuration contract agree.
func TestTemplateWiring(t *testing.T) {
	tpl := loadTemplate(t)
	res := m(tpl, "Resources").(map[string]any)
	makefile, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	if m(tpl, "Globals", "Function", "Runtime") != "provided.al2023" || m(tpl, "Globals", "Function", "Handler") != "bootstrap" ||
		!slices.Equal(toStrings(m(tpl, "Globals", "Function", "Architectures")), []string{"arm64"}) {
		t.Errorf("functions must be provided.al2023 / arm64 / bootstrap: %v", m(tpl, "Globals", "Function"))
	}
	contract := []string{"CONNECTIONS", "SECRET_PREFIX", "QUEUE_URL", "DLQ_URL", "API_TOKENS_SECRET_ID", "AUTH_MODE", "MAX_TARGETS",
		"OKTA_EVENT_TYPES", "OKTA_CONNECTIONS", "ALLOW_INSECURE_HTTP", "MAX_CONCURRENCY", "LOG_LEVEL"}
	needs := map[string][]string{
		"ApiFunction":      {"CONNECTIONS", "QUEUE_URL", "API_TOKENS_SECRET_ID", "AUTH_MODE", "MAX_TARGETS", "OKTA_EVENT_TYPES", "OKTA_CONNECTIONS"},
		"ConsumerFunction": {"CONNECTIONS", "SECRET_PREFIX", "DLQ_URL", "MAX_CONCURRENCY"},
		"SweepFunction":    {"CONNECTIONS", "SECRET_PREFIX", "QUEUE_URL", "DLQ_URL"},
	}
	globalEnv := m(tpl, "Globals", "Function", "Environment", "Variables").(map[string]any)
	for id, want := range needs {
		fn := res[id]
		if m(fn, "Type") != "AWS::Serverless::Function" || m(fn, "Metadata", "BuildMethod") != "makefile" {
			t.Errorf("%s: not a makefile-built function", id)
		}
		if !regexp.MustCompile(`(?m)^build-` + id + `:`).Match(makefile) {
			t.Errorf("Makefile has no build-%s target", id)
		}
		env := map[string]any{}
		for k, v := range globalEnv {
			env[k] = v
		}
		for k, v := range m(fn, "Properties", "Environment", "Variables").(map[string]any) {
			env[k] = v
		}
		for k := range env {
			if !slices.Contains(contract, k) {
				t.Errorf("%s: %s is not a contract variable", id, k)
			}
		}
		for _, k := range want {
			if _, ok := env[k]; !ok {
				t.Errorf("%s: %s is not set", id, k)
			}
		}
	}
	consumerTimeout := m(res["ConsumerFunction"], "Properties", "Timeout").(float64)
	if vis := m(res["RevokeQueue"], "Properties", "VisibilityTimeout").(float64); vis < 6*consumerTimeout {
		t.Errorf("queue visibility timeout %v < 6 x consumer timeout %v", vis, consumerTimeout)
	}
	if !strings.Contains(jsonOf(m(res["RevokeQueue"], "Properties", "RedrivePolicy")), `"MaxReceiveCount"`) {
		t.Error("redrive maxReceiveCount must be the MaxReceiveCount parameter")
	}
	if m(res["DeadLetterQueue"], "Properties", "MessageRetentionPeriod") != float64(1209600) {
		t.Error("DLQ retention must be 14 days")
	}
	ev := m(res["ConsumerFunction"], "Properties", "Events", "Queue", "Properties")
	if !slices.Contains(toStrings(m(ev, "FunctionResponseTypes")), "ReportBatchItemFailures") {
		t.Error("consumer SQS event must report batch item failures")
	}
	if jsonOf(m(ev, "ScalingConfig", "MaximumConcurrency")) != jsonOf(m(res["ConsumerFunction"], "Properties", "Environment", "Variables", "MAX_CONCURRENCY")) {
		t.Error("MAX_CONCURRENCY must be the event source's MaximumConcurrency")
	}
	if m(ev, "MaximumBatchingWindowInSeconds") == nil || m(ev, "BatchSize") == nil {
		t.Error("consumer event needs BatchSize and MaximumBatchingWindowInSeconds")
	}
	if m(res["SweepFunction"], "Properties", "Events", "Schedule", "Type") != "Schedule" {
		t.Error("sweep needs a Schedule event")
	}
	var routes []string
	for _, r := range res {
		if m(r, "Type") == "AWS::ApiGatewayV2::Route" {
			routes = append(routes, m(r, "Properties", "RouteKey").(string))
		}
	}
	slices.Sort(routes)
	if strings.Join(routes, ",") != "$default,GET /hooks/okta,POST /hooks/okta,POST /revocations" {
		t.Errorf("routes %v", routes)
	}
	for _, o := range []string{"ApiUrl", "QueueUrl", "DeadLetterQueueUrl"} {
		if m(tpl, "Outputs", o) == nil {
			t.Errorf("output %s missing", o)
		}
	}
	// Least privilege: only the API's role may read the API tokens; the
	// consumer never sends to the revoke queue.
	if strings.Contains(jsonOf(m(res["ConsumerFunction"], "Properties", "Policies")), "RevokeQueue") {
		t.Error("the consumer must not be able to send to the revoke queue")
	}
	if strings.Contains(jsonOf(m(res["ApiFunction"], "Properties", "Policies")), "SecretPrefix") {
		t.Error("the API must not read connection secrets")
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
