package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/pkg/ledger"
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
		"OKTA_EVENT_TYPES", "OKTA_CONNECTIONS", "ALLOW_INSECURE_HTTP", "MAX_CONCURRENCY", "LOG_LEVEL", "MAX_RECEIVE_COUNT",
		"LEDGER_TABLE", "LEDGER_RETENTION_DAYS", "DRY_RUN", "SCIM_TOKENS_SECRET_ID", "SCIM_CONNECTIONS", "SCIM_RESTORE",
		"AUTH0_LOG_TYPES", "TRIGGER_CONNECTIONS", "DIRECTORY_SOURCES", "ALLOWED_EMAIL_DOMAINS",
		// Beyond the shared contract: the partner event sources the trigger
		// accepts Okta and Auth0 events from (issue 23 item 10; unset: any
		// source of that partner).
		"OKTA_EVENT_SOURCE", "AUTH0_EVENT_SOURCE",
		"GOMEMLIMIT"} // the Go runtime's, not revoke's
	needs := map[string][]string{
		"ApiFunction": {"CONNECTIONS", "QUEUE_URL", "API_TOKENS_SECRET_ID", "AUTH_MODE", "MAX_TARGETS", "OKTA_EVENT_TYPES", "OKTA_CONNECTIONS",
			"LEDGER_TABLE", "LEDGER_RETENTION_DAYS", "DRY_RUN", "SCIM_TOKENS_SECRET_ID", "SCIM_CONNECTIONS", "SCIM_RESTORE", "ALLOWED_EMAIL_DOMAINS"},
		"ConsumerFunction": {"CONNECTIONS", "SECRET_PREFIX", "QUEUE_URL", "DLQ_URL", "MAX_CONCURRENCY", "MAX_RECEIVE_COUNT", "LEDGER_TABLE", "GOMEMLIMIT"},
		"SweepFunction":    {"CONNECTIONS", "SECRET_PREFIX", "QUEUE_URL", "DLQ_URL", "LEDGER_TABLE", "DRY_RUN", "DIRECTORY_SOURCES", "ALLOWED_EMAIL_DOMAINS"},
		"TriggerFunction": {"CONNECTIONS", "QUEUE_URL", "OKTA_EVENT_TYPES", "OKTA_CONNECTIONS", "AUTH0_LOG_TYPES", "TRIGGER_CONNECTIONS", "LEDGER_TABLE",
			"DRY_RUN", "DIRECTORY_SOURCES", "ALLOWED_EMAIL_DOMAINS"},
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
	if strings.Join(routes, ",") != "$default,ANY /scim/v2/{proxy+},GET /hooks/okta,GET /revocations,GET /revocations/{request_id},POST /hooks/okta,POST /revocations" {
		t.Errorf("routes %v", routes)
	}
	// Okta and SCIM clients cannot sign: their routes take bearer tokens
	// whatever AuthMode; the Okta routes are throttled on their own.
	for _, r := range res {
		key, _ := m(r, "Properties", "RouteKey").(string)
		if strings.Contains(key, "/hooks/okta") || strings.Contains(key, "/scim/v2") {
			if m(r, "Properties", "AuthorizationType") != "NONE" {
				t.Errorf("%s: AuthorizationType %v, want NONE", key, m(r, "Properties", "AuthorizationType"))
			}
		}
	}
	for _, k := range []string{"POST /hooks/okta", "GET /hooks/okta"} {
		if m(res["HttpApiStage"], "Properties", "RouteSettings", k) == nil {
			t.Errorf("no RouteSettings for %s", k)
		}
	}
	for _, o := range []string{"ApiUrl", "QueueUrl", "DeadLetterQueueUrl", "LedgerTableName", "TriggerFailureQueueUrl"} {
		if m(tpl, "Outputs", o) == nil {
			t.Errorf("output %s missing", o)
		}
	}
	// Drift and orphans (issue 25): their schedules, and an alarm on the
	// consumer's drift metric.
	if m(res["DriftAlarm"], "Properties", "MetricName") != "drift" || m(res["DriftAlarm"], "Properties", "Namespace") != "revoke" {
		t.Errorf("DriftAlarm %v", res["DriftAlarm"])
	}
	for ev, input := range map[string]string{"Drift": "DriftInput", "Orphans": "OrphansInput"} {
		if jsonOf(m(res["SweepFunction"], "Properties", "Events", ev, "Properties", "Input")) != `{"Ref":"`+input+`"}` {
			t.Errorf("sweep event %s does not take %s", ev, input)
		}
	}
	// Least privilege: only the API's role may read the API tokens. The
	// consumer sends to the revoke queue only proof messages (the read-back
	// of a change it made) and what issue 25 needs (a listing's next pages,
	// a drift re-revocation's targets): send, never receive or delete there.
	for _, want := range []string{`{"SQSSendMessagePolicy":{"QueueName":{"Fn::GetAtt":["RevokeQueue","QueueName"]}}}`, `{"SQSSendMessagePolicy":{"QueueName":{"Fn::GetAtt":["DeadLetterQueue","QueueName"]}}}`} {
		if !strings.Contains(jsonOf(m(res["ConsumerFunction"], "Properties", "Policies")), want) {
			t.Errorf("consumer policy lacks %s", want)
		}
	}
	if p := jsonOf(m(res["ConsumerFunction"], "Properties", "Policies")); strings.Contains(p, "sqs:ReceiveMessage") || strings.Contains(p, "sqs:DeleteMessage") {
		t.Error("the consumer's event source mapping receives and deletes; its role must not")
	}
	if strings.Contains(jsonOf(m(res["ApiFunction"], "Properties", "Policies")), "SecretPrefix") {
		t.Error("the API must not read connection secrets")
	}
	// Every role but the API's is explicitly denied the token secrets.
	for _, id := range []string{"ConsumerFunction", "SweepFunction", "TriggerFunction"} {
		p := jsonOf(m(res[id], "Properties", "Policies"))
		if !strings.Contains(p, `"Effect":"Deny"`) || !strings.Contains(p, "${ApiTokensSecretId}") || !strings.Contains(p, "${ScimTokensSecretId}") {
			t.Errorf("%s: no Deny on the token secrets", id)
		}
		if strings.Contains(p, "dynamodb:DeleteItem") {
			t.Errorf("%s may delete ledger items", id)
		}
	}
	if p := jsonOf(m(res["ConsumerFunction"], "Properties", "Policies")); strings.Contains(p, "dynamodb:DeleteItem") || strings.Contains(p, "dynamodb:BatchWriteItem") ||
		!strings.Contains(p, `"Action":"dynamodb:Query","Effect":"Allow","Resource":{"Fn::Sub":"${LedgerTable.Arn}/index/*"}`) {
		t.Error("the consumer deletes nothing, has no BatchWriteItem and queries only the indexes (an account's marks)")
	}
	// moto evaluates no IAM condition (the end-to-end tests drop them), so
	// the consumer's partitions are checked here (TestRoleWrites checks
	// every role's against the code): appends to requests,
	// account marks, drift and listed accounts; reads and conditional puts
	// of marks, listing states and a drift re-revocation's key, nothing
	// else.
	p := jsonOf(m(res["ConsumerFunction"], "Properties", "Policies"))
	for _, want := range []string{
		`"Action":["dynamodb:BatchGetItem","dynamodb:PutItem"],"Condition":{"ForAllValues:StringLike":{"dynamodb:LeadingKeys":["REQ#*","MARK#*","DRIFT","LISTED#*"]}}`,
		`"Action":"dynamodb:GetItem","Condition":{"ForAllValues:StringLike":{"dynamodb:LeadingKeys":["LISTING#*","KEY#*"]}}`,
		`"Action":"dynamodb:PutItem","Condition":{"ForAllValues:StringLike":{"dynamodb:LeadingKeys":["LISTING#*","KEY#*"]}}`,
	} {
		if !strings.Contains(p, want) {
			t.Errorf("the consumer's ledger access must be limited by dynamodb:LeadingKeys: %s", want)
		}
	}
	// The default token secrets are outside the connections' prefix.
	prefix := m(tpl, "Parameters", "SecretPrefix", "Default").(string)
	for _, p := range []string{"ApiTokensSecretId", "ScimTokensSecretId"} {
		if d := m(tpl, "Parameters", p, "Default").(string); strings.HasPrefix(d, prefix) {
			t.Errorf("%s default %q is under SecretPrefix %q", p, d, prefix)
		}
	}
	// The trigger: async retries and an on-failure destination.
	eic := m(res["TriggerFunction"], "Properties", "EventInvokeConfig")
	if m(eic, "MaximumRetryAttempts") != float64(2) || m(eic, "DestinationConfig", "OnFailure", "Type") != "SQS" {
		t.Errorf("trigger EventInvokeConfig %v", eic)
	}
	for _, rule := range []string{"OktaRule", "Auth0Rule", "IdentityCenterRule", "CognitoRule"} {
		r := res[rule]
		if m(r, "Type") != "AWS::Events::Rule" || m(r, "Condition") == nil {
			t.Errorf("%s: not a conditional rule", rule)
			continue
		}
		tg := m(r, "Properties", "Targets").([]any)[0]
		if m(tg, "DeadLetterConfig", "Arn") == nil {
			t.Errorf("%s: no DeadLetterConfig", rule)
		}
		if rule == "IdentityCenterRule" || rule == "CognitoRule" {
			if jsonOf(m(r, "Properties", "EventPattern", "detail", "errorCode")) != `[{"exists":false}]` {
				t.Errorf("%s: errorCode must be absent", rule)
			}
		}
	}
	if res["UnresolvedAlarm"] == nil || m(res["UnresolvedAlarm"], "Properties", "MetricName") != "unresolved" {
		t.Error("no alarm on the unresolved metric")
	}
}

// TestLedgerTable: the template's table is the one the code creates on
// moto (ledger.TableInput), on demand, with point-in-time recovery, TTL on
// the attribute the code writes, and encryption.
func TestLedgerTable(t *testing.T) {
	tpl := loadTemplate(t)
	tbl := m(tpl, "Resources", "LedgerTable")
	p := m(tbl, "Properties")
	if m(p, "BillingMode") != "PAY_PER_REQUEST" || m(p, "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled") != true ||
		m(p, "TimeToLiveSpecification", "Enabled") != true || m(p, "SSESpecification", "SSEEnabled") != true || m(tbl, "DeletionPolicy") != "Retain" {
		t.Errorf("table %v", tbl)
	}
	in := ledger.TableInput("x")
	var want struct {
		Attrs, Keys string
		Indexes     []string
	}
	for _, a := range in.AttributeDefinitions {
		want.Attrs += *a.AttributeName + ":" + string(a.AttributeType) + " "
	}
	for _, k := range in.KeySchema {
		want.Keys += *k.AttributeName + ":" + string(k.KeyType) + " "
	}
	for _, g := range in.GlobalSecondaryIndexes {
		s := *g.IndexName + "="
		for _, k := range g.KeySchema {
			s += *k.AttributeName + ":" + string(k.KeyType) + " "
		}
		want.Indexes = append(want.Indexes, s+string(g.Projection.ProjectionType))
	}
	var attrs, keys string
	for _, a := range m(p, "AttributeDefinitions").([]any) {
		attrs += m(a, "AttributeName").(string) + ":" + m(a, "AttributeType").(string) + " "
	}
	for _, k := range m(p, "KeySchema").([]any) {
		keys += m(k, "AttributeName").(string) + ":" + m(k, "KeyType").(string) + " "
	}
	var idx []string
	for _, g := range m(p, "GlobalSecondaryIndexes").([]any) {
		s := m(g, "IndexName").(string) + "="
		for _, k := range m(g, "KeySchema").([]any) {
			s += m(k, "AttributeName").(string) + ":" + m(k, "KeyType").(string) + " "
		}
		idx = append(idx, s+m(g, "Projection", "ProjectionType").(string))
	}
	if attrs != want.Attrs || keys != want.Keys || !slices.Equal(idx, want.Indexes) {
		t.Errorf("template table %q %q %v, code %q %q %v", attrs, keys, idx, want.Attrs, want.Keys, want.Indexes)
	}
	if m(p, "TimeToLiveSpecification", "AttributeName") != ledger.TTLAttribute {
		t.Errorf("TTL on %v, the code writes %s", m(p, "TimeToLiveSpecification", "AttributeName"), ledger.TTLAttribute)
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
