package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// awsCall is one AWS call a function made, as IAM authorises it: for
// DynamoDB one item it touched, with the action (a transaction's items by
// their own actions) and the item's partition key (dynamodb:LeadingKeys);
// for SQS the queue's name in PK.
type awsCall struct {
	Key    string // the caller's access key id
	Action string // "dynamodb:PutItem"
	PK     string
}

// awsRecorder is a proxy between the functions and moto that notes every
// call it forwards (DynamoDB item by item), because moto evaluates no IAM
// condition: the end-to-end run then checks each DynamoDB access against
// its role's LeadingKeys as AWS would, and any other write it saw against
// roleOtherWrites. The world routes only DynamoDB through it
// (AWS_ENDPOINT_URL_DYNAMODB); the queue writes are checked statically
// (TestRoleOtherWrites).
type awsRecorder struct {
	mu       sync.Mutex
	accesses []awsCall
	URL      string
}

func startAWSRecorder(t *testing.T, target string) *awsRecorder {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u) // keeps the signed Host header
	r := &awsRecorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if target := req.Header.Get("X-Amz-Target"); target != "" {
			body, err := io.ReadAll(io.LimitReader(req.Body, 16<<20))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			req.Body = io.NopCloser(bytes.NewReader(body))
			key := accessKeyOf(req.Header.Get("Authorization"))
			if op, ok := strings.CutPrefix(target, "DynamoDB_20120810."); ok {
				r.note(key, op, body)
			} else {
				r.noteOther(key, target, body)
			}
		}
		proxy.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// accessKeyOf reads the access key id of a SigV4 Authorization header.
func accessKeyOf(auth string) string {
	_, cred, _ := strings.Cut(auth, "Credential=")
	key, _, _ := strings.Cut(cred, "/")
	return key
}

type attr struct {
	S string `json:"S"`
}

type keyed struct {
	Item map[string]attr `json:"Item"`
	Key  map[string]attr `json:"Key"`
}

// note records the item accesses of one DynamoDB call.
func (r *awsRecorder) note(key, op string, body []byte) {
	var in struct {
		keyed
		RequestItems  map[string]json.RawMessage `json:"RequestItems"`
		TransactItems []map[string]keyed         `json:"TransactItems"`
	}
	_ = json.Unmarshal(body, &in)
	var out []awsCall
	add := func(action string, k keyed) {
		pk := k.Item["pk"].S
		if pk == "" {
			pk = k.Key["pk"].S
		}
		out = append(out, awsCall{Key: key, Action: "dynamodb:" + action, PK: pk})
	}
	switch op {
	case "PutItem", "DeleteItem", "GetItem", "UpdateItem":
		add(op, in.keyed)
	case "TransactWriteItems":
		names := map[string]string{"Put": "PutItem", "Delete": "DeleteItem", "Update": "UpdateItem", "ConditionCheck": "ConditionCheckItem"}
		for _, ti := range in.TransactItems {
			for kind, k := range ti {
				add(names[kind], k)
			}
		}
	case "BatchWriteItem":
		for _, raw := range in.RequestItems {
			var reqs []struct {
				PutRequest    *keyed `json:"PutRequest"`
				DeleteRequest *keyed `json:"DeleteRequest"`
			}
			_ = json.Unmarshal(raw, &reqs)
			for _, q := range reqs {
				switch {
				case q.PutRequest != nil:
					add(op, *q.PutRequest)
				case q.DeleteRequest != nil:
					add(op, *q.DeleteRequest)
				}
			}
		}
	case "BatchGetItem":
		for _, raw := range in.RequestItems {
			var ka struct {
				Keys []map[string]attr `json:"Keys"`
			}
			_ = json.Unmarshal(raw, &ka)
			for _, k := range ka.Keys {
				add(op, keyed{Key: k})
			}
		}
	default: // Query and the rest: no LeadingKeys condition on any role's reads
		out = append(out, awsCall{Key: key, Action: "dynamodb:" + op})
	}
	r.mu.Lock()
	r.accesses = append(r.accesses, out...)
	r.mu.Unlock()
}

// services maps X-Amz-Target prefixes to IAM service prefixes.
var services = map[string]string{"AmazonSQS": "sqs", "secretsmanager": "secretsmanager", "AWSIdentityStore": "identitystore",
	"AWSCognitoIdentityProviderService": "cognito-idp"}

// noteOther records a call outside DynamoDB: its action and, for SQS, the
// queue's name (in PK).
func (r *awsRecorder) noteOther(key, target string, body []byte) {
	prefix, op, _ := strings.Cut(target, ".")
	svc, ok := services[prefix]
	if !ok {
		svc = prefix
	}
	var in struct {
		QueueURL string `json:"QueueUrl"`
	}
	_ = json.Unmarshal(body, &in)
	queue := in.QueueURL[strings.LastIndex(in.QueueURL, "/")+1:]
	r.mu.Lock()
	r.accesses = append(r.accesses, awsCall{Key: key, Action: svc + ":" + op, PK: queue})
	r.mu.Unlock()
}

// allowed reports whether a role's statements allow an access, evaluating
// ForAllValues:StringLike on dynamodb:LeadingKeys as IAM does for one key.
func allowed(stmts []statement, a awsCall) bool {
	for _, s := range stmts {
		if s.Effect != "Allow" || !slices.Contains(strs(s.Action), a.Action) {
			continue
		}
		pats := leadingKeys(s)
		if slices.Contains(pats, "*") && len(pats) == 1 {
			return true
		}
		for _, p := range pats {
			if globMatch(p, a.PK) {
				return true
			}
		}
	}
	return false
}

// globMatch is IAM's StringLike: * any run, ? one character.
func globMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if globMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && globMatch(pattern[1:], s[1:])
	}
	return s != "" && s[0] == pattern[0] && globMatch(pattern[1:], s[1:])
}

// ledgerAccessesAllowed: every item access each function made in the
// run is one its role allows, LeadingKeys included (what moto does not
// check), and each function wrote something; every other write it made is
// one roleOtherWrites lists.
func (w *world) ledgerAccessesAllowed(t *testing.T) {
	tpl := resolveTemplate(t, directoryParams...)
	w.rec.mu.Lock()
	accesses := slices.Clone(w.rec.accesses)
	w.rec.mu.Unlock()
	for fn, logical := range functions {
		stmts := tpl.rolePolicy(t, logical)
		wrote := map[string]bool{}
		for _, a := range accesses {
			if a.Key != w.keys[fn][0] {
				continue
			}
			if !strings.HasPrefix(a.Action, "dynamodb:") {
				if !readOnly(a.Action) {
					wrote[a.Action+" "+a.PK] = true
					if !listed(tpl, t, roleOtherWrites[fn], a) {
						t.Errorf("%s made %s on %q, which roleOtherWrites does not list", fn, a.Action, a.PK)
					}
				}
				continue
			}
			if !allowed(stmts, a) {
				t.Errorf("%s made %s on %q, which its role does not allow", fn, a.Action, a.PK)
			}
			if !slices.Contains(dynamoReads, a.Action) && a.PK != "" {
				kind := a.PK
				if i := strings.Index(kind, "#"); i >= 0 {
					kind = kind[:i+1]
				}
				wrote[a.Action+" "+kind] = true
			}
		}
		if len(wrote) == 0 {
			t.Errorf("%s wrote nothing to the ledger in the run", fn)
		}
		t.Logf("%s wrote %v", fn, sortedKeys(wrote))
	}
}

// listed reports whether a write outside the ledger is one of entries
// ("<action pattern> <logical id or *>"), the queue matched by name.
func listed(tpl *resolved, t *testing.T, entries []string, a awsCall) bool {
	for _, e := range entries {
		action, res, _ := strings.Cut(e, " ")
		if !globMatch(action, a.Action) {
			continue
		}
		if res == "*" || tpl.physical(t, res, "QueueName") == a.PK {
			return true
		}
	}
	return false
}

// TestGlobMatch: StringLike as IAM reads it.
func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"REQ#*", "REQ#3f6c", true},
		{"REQ#*", "REQ#", true},
		{"REQ#*", "KEY#REQ#", false},
		{"UNRESOLVED", "UNRESOLVED", true},
		{"UNRESOLVED", "UNRESOLVED#x", false},
		{"SCIM?#*", "SCIMU#1", true},
		{"*", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.pattern+" "+tc.s, func(t *testing.T) {
			if got := globMatch(tc.pattern, tc.s); got != tc.want {
				t.Errorf("got %v", got)
			}
		})
	}
}

// TestAllowed: a recorded access is checked against the action and the
// statement's LeadingKeys, as AWS would.
func TestAllowed(t *testing.T) {
	stmts := []statement{
		{Effect: "Allow", Action: []any{"dynamodb:GetItem", "dynamodb:Query"}, Resource: "arn:t"},
		{Effect: "Allow", Action: []any{"dynamodb:PutItem"}, Resource: "arn:t",
			Condition: map[string]any{"ForAllValues:StringLike": map[string]any{"dynamodb:LeadingKeys": []any{"REQ#*", "UNRESOLVED"}}}},
	}
	tests := []struct {
		name string
		a    awsCall
		want bool
	}{
		{"a put in a request partition", awsCall{Action: "dynamodb:PutItem", PK: "REQ#1"}, true},
		{"a put of an unresolved person", awsCall{Action: "dynamodb:PutItem", PK: "UNRESOLVED"}, true},
		{"a put of a key", awsCall{Action: "dynamodb:PutItem", PK: "KEY#idem"}, false},
		{"a delete in a request partition", awsCall{Action: "dynamodb:DeleteItem", PK: "REQ#1"}, false},
		{"a batch write", awsCall{Action: "dynamodb:BatchWriteItem", PK: "REQ#1"}, false},
		{"a query", awsCall{Action: "dynamodb:Query"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := allowed(stmts, tc.a); got != tc.want {
				t.Errorf("allowed = %v, want %v", got, tc.want)
			}
		})
	}
}
