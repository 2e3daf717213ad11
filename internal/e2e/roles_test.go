package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/revoke-dev/revoke/internal/awstest"
)

// resolved is the transformed template as `scripts/preflight --resolve`
// prints it: every intrinsic resolved, physical names and ARNs for stack
// "revoke" in account 123456789012 (moto's), us-east-1.
type resolved struct {
	Resources map[string]struct {
		Type       string
		Properties map[string]any
		Physical   map[string]string
	}
	ManagedPolicies map[string]policyDoc
}

type policyDoc struct {
	Version   string      `json:"Version,omitempty"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Effect    string         `json:"Effect"`
	Action    any            `json:"Action"`
	Resource  any            `json:"Resource,omitempty"`
	Condition map[string]any `json:"Condition,omitempty"`
}

// directoryParams are the parameters the end-to-end world needs: both
// directories followed (the identity store the samples name).
var directoryParams = []string{"IdentityStoreId=" + identityStore, "CognitoUserPoolId=us-east-1_AbCdEfGhI"}

// transformed keeps each parameter set's transformed template for the
// test binary's run: the transform is a second of Python, and a dozen
// tests ask for the same one.
var transformed struct {
	sync.Mutex
	out map[string][]byte
}

func resolveTemplate(t *testing.T, params ...string) *resolved {
	t.Helper()
	key := strings.Join(params, "\x00")
	transformed.Lock()
	out, ok := transformed.out[key]
	transformed.Unlock()
	var err error
	if !ok {
		out, err = exec.Command("python3", append([]string{"../../scripts/preflight", "--resolve"}, params...)...).Output()
	}
	if err == nil && !ok {
		transformed.Lock()
		if transformed.out == nil {
			transformed.out = map[string][]byte{}
		}
		transformed.out[key] = out
		transformed.Unlock()
	}
	if err != nil {
		if os.Getenv("REVOKE_MOTO") == "1" {
			t.Fatalf("scripts/preflight --resolve: %v", err)
		}
		t.Skip("python3 with cfn-lint is not available")
	}
	var r resolved
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// physical returns the resolved physical value (Ref, Arn, QueueName, …) of a
// resource.
func (r *resolved) physical(t *testing.T, logical, key string) string {
	t.Helper()
	v := r.Resources[logical].Physical[key]
	if v == "" {
		t.Fatalf("template: %s has no %s", logical, key)
	}
	return v
}

// rolePolicy returns the statements of the function's role: every inline
// policy and every managed policy attached, SAM policy templates expanded.
func (r *resolved) rolePolicy(t *testing.T, function string) []statement {
	t.Helper()
	roleArn, _ := r.Resources[function].Properties["Role"].(string)
	for _, res := range r.Resources {
		if res.Type != "AWS::IAM::Role" || res.Physical["Arn"] != roleArn {
			continue
		}
		var role struct {
			Policies []struct {
				PolicyDocument policyDoc
			}
			ManagedPolicyArns []string
		}
		raw, _ := json.Marshal(res.Properties)
		if err := json.Unmarshal(raw, &role); err != nil {
			t.Fatal(err)
		}
		var out []statement
		for _, p := range role.Policies {
			out = append(out, p.PolicyDocument.Statement...)
		}
		for _, arn := range role.ManagedPolicyArns {
			doc, ok := r.ManagedPolicies[arn]
			if !ok {
				t.Fatalf("%s: managed policy %s unknown to the preflight", function, arn)
			}
			out = append(out, doc.Statement...)
		}
		return out
	}
	t.Fatalf("%s: no role %s in the template", function, roleArn)
	return nil
}

// motoResourceStar are the services whose requests moto checks against
// resource "*" instead of the resource's ARN (moto only passes SQS's queue
// ARN into the policy check).
var motoResourceStar = []string{"dynamodb", "secretsmanager", "identitystore", "cognito-idp", "logs"}

// motoPolicy turns a role's statements into a policy moto enforces as AWS
// would, where moto can. Where it cannot, honestly:
//   - Allow statements on motoResourceStar services get Resource "*": the
//     actions stay exactly the role's, the resources are not checked here
//     (TestTemplateWiring and the preflight check them statically).
//   - Conditions are dropped: moto evaluates none. The functions' DynamoDB
//     calls go through a recording proxy instead (awsRecorder), and every
//     item they touched is checked against its role's dynamodb:LeadingKeys
//     (ledgerAccessesAllowed).
//   - Deny statements stay as written; on motoResourceStar services they
//     never match "*" and so deny nothing here (TestTemplateWiring checks
//     that every role but the API's is denied the token secrets).
//   - AWS authorises TransactWriteItems by the actions of its items
//     (PutItem, DeleteItem, ConditionCheckItem); moto by the call's own
//     name. Every ledger write is a transaction of puts (and, for SCIM
//     users, deletes), so a statement allowing dynamodb:PutItem also allows
//     dynamodb:TransactWriteItems here. Which roles may delete, and which
//     kinds of item each role writes, TestRoleWrites checks statically.
//
// SQS statements are kept exactly: moto checks them against the real queue.
// drop removes one action, to prove a missing permission fails.
func motoPolicy(stmts []statement, drop string) string {
	var out []statement
	for _, s := range stmts {
		byService := map[string][]string{}
		var order []string
		for _, a := range strs(s.Action) {
			if a == drop {
				continue
			}
			svc, _, _ := strings.Cut(a, ":")
			if _, ok := byService[svc]; !ok {
				order = append(order, svc)
			}
			byService[svc] = append(byService[svc], a)
		}
		for _, svc := range order {
			acts := byService[svc]
			n := statement{Effect: s.Effect, Action: acts, Resource: s.Resource}
			if s.Effect == "Allow" {
				if slices.Contains(motoResourceStar, svc) {
					n.Resource = "*"
				}
				if slices.Contains(acts, "dynamodb:PutItem") {
					n.Action = append(slices.Clone(acts), "dynamodb:TransactWriteItems")
				}
			} else {
				n.Condition = s.Condition
			}
			out = append(out, n)
		}
	}
	b, _ := json.Marshal(policyDoc{Version: "2012-10-17", Statement: out})
	return string(b)
}

func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// functions maps each bootstrap to its function's logical id.
var functions = map[string]string{"api": "ApiFunction", "consumer": "ConsumerFunction", "sweep": "SweepFunction", "trigger": "TriggerFunction"}

// TestMotoPolicy: the translation keeps actions exactly, widens only the
// services moto cannot check by resource, and drops what it is told to.
func TestMotoPolicy(t *testing.T) {
	in := []statement{
		{Effect: "Allow", Action: []any{"sqs:SendMessage*"}, Resource: "arn:aws:sqs:us-east-1:123456789012:q"},
		{Effect: "Allow", Action: []any{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"}, Resource: []any{"arn:aws:dynamodb:us-east-1:123456789012:table/t"}},
		{Effect: "Allow", Action: "dynamodb:BatchWriteItem", Resource: "arn:t", Condition: map[string]any{"ForAllValues:StringLike": map[string]any{}}},
		{Effect: "Deny", Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x*"},
	}
	tests := []struct {
		name, drop string
		want       string
	}{
		{"as the role", "", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:SendMessage*"],"Resource":"arn:aws:sqs:us-east-1:123456789012:q"},` +
			`{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:PutItem","dynamodb:DeleteItem","dynamodb:TransactWriteItems"],"Resource":"*"},` +
			`{"Effect":"Allow","Action":["dynamodb:BatchWriteItem"],"Resource":"*"},` +
			`{"Effect":"Deny","Action":["secretsmanager:GetSecretValue"],"Resource":"arn:aws:secretsmanager:us-east-1:123456789012:secret:x*"}]}`},
		{"without DeleteItem: puts are still transactions", "dynamodb:DeleteItem", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:SendMessage*"],"Resource":"arn:aws:sqs:us-east-1:123456789012:q"},` +
			`{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:PutItem","dynamodb:TransactWriteItems"],"Resource":"*"},` +
			`{"Effect":"Allow","Action":["dynamodb:BatchWriteItem"],"Resource":"*"},` +
			`{"Effect":"Deny","Action":["secretsmanager:GetSecretValue"],"Resource":"arn:aws:secretsmanager:us-east-1:123456789012:secret:x*"}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := motoPolicy(in, tc.drop); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// users creates, on a moto server not yet enforcing, one IAM user per
// function holding its role's statements (and the variants asked for, one
// action dropped), and returns their keys by bootstrap name ("api",
// "api-dynamodb:PutItem").
func users(t *testing.T, m *awstest.Moto, r *resolved, drops map[string]string) map[string][2]string {
	t.Helper()
	out := map[string][2]string{}
	for fn, logical := range functions {
		stmts := r.rolePolicy(t, logical)
		c := m.CreateUser(t, "fn-"+fn, motoPolicy(stmts, ""))
		out[fn] = [2]string{c.AccessKeyID, c.SecretAccessKey}
		if action, ok := drops[fn]; ok {
			found := false
			for _, s := range stmts {
				found = found || slices.Contains(strs(s.Action), action)
			}
			if !found {
				t.Fatalf("%s's role has no %s to drop", logical, action)
			}
			c := m.CreateUser(t, "fn-"+fn+"-without", motoPolicy(stmts, action))
			out[fn+"-"+action] = [2]string{c.AccessKeyID, c.SecretAccessKey}
		}
	}
	return out
}
