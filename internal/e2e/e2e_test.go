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

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/revoke-dev/revoke/internal/awstest"
	"github.com/revoke-dev/revoke/internal/runtimeapi"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/ledger"
)

const (
	eventToken = "local-dev-token-change-me-0123456789"
	scimToken  = "local-scim-token-change-me-0123456789"
)

// build compiles the functions once per test binary.
func build(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, fn := range []string{"api", "consumer", "sweep", "trigger"} {
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
	aws    *awstest.Env // the harness itself: an admin user
	queue  string
	dlq    string
	prefix string
	*simulator.Fleet
	bin     string
	baseEnv map[string]string
	keys    map[string][2]string // access key per function user ("api", "api-<dropped action>")
	ledger  *ledger.Ledger
	pool    string       // a moto Cognito user pool the trigger follows
	rec     *awsRecorder // every DynamoDB call the functions make, item by item
}

// identityStore is the store the Identity Center samples name.
const identityStore = "d-9067642ac7"

// newWorld starts a private moto server and creates on it what the
// template would: the queues, the ledger table and the secrets, under the
// names the resolved template gives them, and one IAM user per function
// holding exactly its role's statements (motoPolicy says where moto cannot
// check as AWS would), plus a variant without the action drops names for a
// function. Then IAM enforcement goes on: every call a function makes must
// be allowed by its role, as in AWS.
func newWorld(t *testing.T, drops map[string]string) *world {
	m := awstest.StartMoto(t)
	tpl := resolveTemplate(t, directoryParams...)
	w := &world{aws: m.Env(t, m.Admin(t))}
	w.bin = build(t)
	ctx := context.Background()
	dlq, err := w.aws.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(tpl.physical(t, "DeadLetterQueue", "QueueName"))})
	if err != nil {
		t.Fatal(err)
	}
	redrive, _ := json.Marshal(map[string]string{"deadLetterTargetArn": tpl.physical(t, "DeadLetterQueue", "Arn"), "maxReceiveCount": "5"})
	q, err := w.aws.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(tpl.physical(t, "RevokeQueue", "QueueName")),
		Attributes: map[string]string{"RedrivePolicy": string(redrive), "VisibilityTimeout": "30"}})
	if err != nil {
		t.Fatal(err)
	}
	w.queue, w.dlq = *q.QueueUrl, *dlq.QueueUrl
	env := func(fn, k string) string {
		vars, _ := tpl.Resources[fn].Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
		v, _ := vars[k].(string)
		return v
	}
	w.rec = startAWSRecorder(t, m.Endpoint)
	w.prefix = env("ConsumerFunction", "SECRET_PREFIX")
	apiTokens, scimTokens := env("ApiFunction", "API_TOKENS_SECRET_ID"), env("ApiFunction", "SCIM_TOKENS_SECRET_ID")
	w.Fleet = simulator.StartFleet(nil)
	t.Cleanup(w.Fleet.Close)
	w.aws.Secret(t, apiTokens, `{"tokens":["`+eventToken+`"]}`)
	w.aws.Secret(t, scimTokens, `{"tokens":[{"name":"entra","token":"`+scimToken+`"}]}`)
	for conn, v := range w.Secrets(simulator.Uniform(simulator.Settings{})) {
		w.aws.Secret(t, w.prefix+conn, v)
	}
	table := tpl.physical(t, "LedgerTable", "Ref")
	if _, err := w.aws.Dynamo.CreateTable(ctx, ledger.TableInput(table)); err != nil {
		t.Fatal(err)
	}
	w.ledger = ledger.New(&ledger.Dynamo{API: w.aws.Dynamo, Table: table}, 400*24*time.Hour)
	pool, err := w.aws.Cognito.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String(awstest.Unique("e2e"))})
	if err != nil {
		t.Fatal(err)
	}
	w.pool = *pool.UserPool.Id
	w.baseEnv = map[string]string{
		"CONNECTIONS": simulator.FleetConnections(), "SECRET_PREFIX": w.prefix,
		"QUEUE_URL": w.queue, "DLQ_URL": w.dlq, "API_TOKENS_SECRET_ID": apiTokens, "ALLOW_INSECURE_HTTP": "true",
		"SCIM_TOKENS_SECRET_ID": scimTokens, "LEDGER_TABLE": table, "DIRECTORY_SOURCES": "identitystore:" + identityStore + ",cognito:" + w.pool,
		"AWS_ENDPOINT_URL": m.Endpoint, "AWS_ENDPOINT_URL_DYNAMODB": w.rec.URL, "AWS_REGION": awstest.Region,
	}
	w.keys = users(t, m, tpl, drops)
	m.Enforce(t)
	// The users the sample events name.
	w.JA.Add(simulator.User{ID: "ad66ab80-4d54-11ea-b7e8-77bec61efea5", Email: "bob@example.com"})
	w.BL.Add(simulator.User{ID: "4D584E4D-05A3-4AC4-90C7-B80D1584E7AD", Email: "alice@example.com"})
	w.MX.Add(simulator.User{ID: "6f1e7f5e-1111-4a6b-9c1d-000000000001", Email: "alice@example.com"})
	w.SC.Add(simulator.User{ID: "2819c223-7f76-453a-919d-413861904646", Email: "bob@example.com"})
	return w
}

func (w *world) invoke(t *testing.T, fn, file string) runtimeapi.Result {
	t.Helper()
	return w.invokeEvent(t, fn, file, readEvent(t, file))
}

func readEvent(t *testing.T, file string) []byte {
	t.Helper()
	event, err := os.ReadFile(filepath.Join("..", "..", "events", file))
	if err != nil {
		t.Fatal(err)
	}
	return event
}

func (w *world) invokeEvent(t *testing.T, fn, file string, event []byte) runtimeapi.Result {
	t.Helper()
	res, out := w.invokeAs(t, fn, fn, event)
	if res.Error != nil {
		t.Fatalf("%s %s: function error %v\n%s", fn, file, res.Error, out)
	}
	// A call the role refused may be only logged (the function carries on:
	// a DLQ delete, an enqueue the backstop retries). moto refuses with a
	// 403 the SDK cannot decode (awstest.TestMotoEnforcesIAM): the log must
	// hold none.
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "StatusCode: 403") {
			t.Fatalf("%s %s: a call its role does not allow: %s", fn, file, l)
		}
	}
	return res
}

// invokeAs runs fn's bootstrap with the access key of user (a function, or a
// variant of one) and returns its result and log.
func (w *world) invokeAs(t *testing.T, fn, user string, event []byte) (runtimeapi.Result, string) {
	t.Helper()
	key, ok := w.keys[user]
	if !ok {
		t.Fatalf("no IAM user %s", user)
	}
	env := map[string]string{"AWS_ACCESS_KEY_ID": key[0], "AWS_SECRET_ACCESS_KEY": key[1]}
	for k, v := range w.baseEnv {
		env[k] = v
	}
	s, err := runtimeapi.Start(context.Background(), runtimeapi.Options{Bootstrap: filepath.Join(w.bin, fn, "bootstrap"), Env: env, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.Invoke(context.Background(), event)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range append(w.Credentials(), eventToken, scimToken, key[1]) {
		if strings.Contains(s.Output(), secret) {
			t.Fatalf("%s: a secret reached the log", fn)
		}
	}
	return res, s.Output()
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

// TestEveryEvent drives the built bootstraps with every file in events/,
// each function as an IAM user holding exactly its role's statements, on a
// moto server enforcing IAM (newWorld).
func TestEveryEvent(t *testing.T) {
	w := newWorld(t, rolesWithout)
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
		"scim-entra-patch.json": func(t *testing.T) { w.scimDeactivate(t, "scim-entra-patch.json", "kim@example.com") },
		"scim-okta-patch.json":  func(t *testing.T) { w.scimDeactivate(t, "scim-okta-patch.json", "lou@example.com") },
		"trigger-okta-deactivate.json": func(t *testing.T) {
			// The same Okta event through the hook and through EventBridge
			// is one request: after the hook, the stream's copy repeats.
			w.api(t, "okta-event.json")
			w.triggered(t, "trigger-okta-deactivate.json", nil, "repeat", "", "")
			w.triggered(t, "trigger-okta-deactivate.json", map[string]string{"8f0a6f2c-a9f1-11ef-8a40-6d7e5e2b7a10": "8f0a6f2c-a9f1-11ef-8a40-6d7e5e2b7aff"},
				"requested", "okta", "carol@example.com")
		},
		"trigger-auth0-sdu.json": func(t *testing.T) {
			w.triggered(t, "trigger-auth0-sdu.json", nil, "requested", "auth0", "dave@example.com")
		},
		"trigger-identitycenter-disableuser.json": func(t *testing.T) {
			// The user exists in the store: DescribeUser on moto resolves it.
			id := w.identityStoreUser(t, "hana@example.com")
			w.triggered(t, "trigger-identitycenter-disableuser.json", map[string]string{"906722b2be-1c2a3b4c-5d6e-7f80-9a1b-2c3d4e5f6a7b": id},
				"requested", "identity-center", "hana@example.com")
		},
		"trigger-identitycenter-deleteuser.json": func(t *testing.T) {
			// A deleted user cannot be described: unresolved until the
			// directory snapshot knows it, then resolved from there.
			w.triggered(t, "trigger-identitycenter-deleteuser.json", nil, "unresolved", "", "")
			if err := w.ledger.PutDirectoryUsers(context.Background(), []ledger.DirectoryUser{{Directory: "identitystore:" + identityStore,
				UserID: "906722b2be-deleted0-5d6e-7f80-9a1b-2c3d4e5f6a7c", Emails: []string{"ivan@example.com"}, Refreshed: time.Now()}}); err != nil {
				t.Fatal(err)
			}
			w.triggered(t, "trigger-identitycenter-deleteuser.json", map[string]string{"f2a3b4c5-d6e7-4f80-9a0b-1c2d3e4f5a6c": "f2a3b4c5-d6e7-4f80-9a0b-1c2d3e4f5a6d"},
				"requested", "identity-center", "ivan@example.com")
		},
		"trigger-cognito-admindisableuser.json": func(t *testing.T) {
			sub := w.cognitoUser(t, "judy@example.com")
			w.triggered(t, "trigger-cognito-admindisableuser.json", map[string]string{"us-east-1_AbCdEfGhI": w.pool, "8b3e7f2a-6c1d-4e5f-9a0b-7c8d9e0f1a2b": sub},
				"requested", "cognito", "judy@example.com")
		},
		"schedule.json": func(t *testing.T) {
			// Re-drive (the DLQ), both directory snapshots (Identity
			// Store and Cognito ListUsers) and the unqueued backstop.
			var r struct {
				Complete bool `json:"complete"`
				Redrive  *struct {
					Examined int  `json:"examined"`
					Complete bool `json:"complete"`
				} `json:"redrive"`
				Snapshots []struct{ Directory, Status string } `json:"snapshots"`
			}
			if err := json.Unmarshal(w.invoke(t, "sweep", "schedule.json").Payload, &r); err != nil || !r.Complete || r.Redrive == nil || !r.Redrive.Complete {
				t.Fatalf("%+v %v", r, err)
			}
			if len(r.Snapshots) != 2 || r.Snapshots[0].Status != "ok" || r.Snapshots[1].Status != "ok" {
				t.Fatalf("snapshots %+v", r.Snapshots)
			}
		},
		"sweep-drift-orphans.json": func(t *testing.T) { w.driftAndOrphans(t) },
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
	t.Run("sweep re-drives and queues the unqueued", func(t *testing.T) {
		w.sweepMoves(t)
	})
	t.Run("every ledger access within its role's LeadingKeys", func(t *testing.T) {
		w.ledgerAccessesAllowed(t)
	})
	t.Run("a role without one of its actions fails", func(t *testing.T) {
		w.roleWithoutFails(t)
	})
}

// TestInitFailsClosedOnBadConfig: a misconfigured function reports an init
// error through the Runtime API instead of serving.
func TestInitFailsClosedOnBadConfig(t *testing.T) {
	bin := build(t)
	_, err := runtimeapi.Start(context.Background(), runtimeapi.Options{Bootstrap: filepath.Join(bin, "api", "bootstrap"), Env: map[string]string{"CONNECTIONS": "Bad Name=scim"}})
	if err == nil || !strings.Contains(err.Error(), "CONNECTIONS") {
		t.Fatalf("err = %v", err)
	}
}

// triggered invokes the trigger bootstrap with a sample (its strings
// replaced as asked) and checks the outcome; a request must be in the
// ledger for the person, with four targets on the queue's connections.
func (w *world) triggered(t *testing.T, file string, replace map[string]string, outcome, source, email string) {
	t.Helper()
	ev := string(readEvent(t, file))
	for from, to := range replace {
		if !strings.Contains(ev, from) {
			t.Fatalf("%s lacks %q", file, from)
		}
		ev = strings.ReplaceAll(ev, from, to)
	}
	// The trigger accepts CloudTrail events of its own account only (the one
	// in the invoked function's ARN, 000000000000 under internal/runtimeapi).
	ev = strings.ReplaceAll(ev, `"account": "123456789012"`, `"account": "000000000000"`)
	var r struct {
		Outcome   string `json:"outcome"`
		RequestID string `json:"request_id"`
		Accepted  int    `json:"accepted"`
	}
	if err := json.Unmarshal(w.invokeEvent(t, "trigger", file, []byte(ev)).Payload, &r); err != nil {
		t.Fatal(err)
	}
	if r.Outcome != outcome {
		t.Fatalf("%s: outcome %+v, want %s", file, r, outcome)
	}
	if outcome != "requested" {
		return
	}
	rec, err := w.ledger.Load(context.Background(), r.RequestID)
	if err != nil || rec == nil {
		t.Fatalf("%s: request %s not in the ledger: %v", file, r.RequestID, err)
	}
	if string(rec.Request.Source) != source || len(rec.Targets) != 4 || r.Accepted != 4 {
		t.Fatalf("%s: ledger %+v (%d targets), accepted %d", file, rec.Request, len(rec.Targets), r.Accepted)
	}
	for _, tg := range rec.Targets {
		if tg.Email != email {
			t.Fatalf("%s: target %+v, want %s", file, tg, email)
		}
	}
	// The same event again is a repeat: nothing more is enqueued.
	var again struct{ Outcome string }
	if err := json.Unmarshal(w.invokeEvent(t, "trigger", file, []byte(ev)).Payload, &again); err != nil || again.Outcome != "repeat" {
		t.Fatalf("%s redelivered: %+v %v", file, again, err)
	}
}

func (w *world) identityStoreUser(t *testing.T, email string) string {
	t.Helper()
	name := awstest.Unique("user")
	out, err := w.aws.IdentityStore.CreateUser(context.Background(), &identitystore.CreateUserInput{IdentityStoreId: aws.String(identityStore),
		UserName: aws.String(name), DisplayName: aws.String(name), Name: &istypes.Name{GivenName: aws.String("G"), FamilyName: aws.String("F")},
		Emails: []istypes.Email{{Value: aws.String(email), Type: aws.String("work"), Primary: true}}})
	if err != nil {
		t.Fatal(err)
	}
	return *out.UserId
}

func (w *world) cognitoUser(t *testing.T, email string) string {
	t.Helper()
	ctx := context.Background()
	out, err := w.aws.Cognito.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(w.pool), Username: aws.String(awstest.Unique("user")),
		UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}, {Name: aws.String("email_verified"), Value: aws.String("true")}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range out.User.Attributes {
		if *a.Name == "sub" {
			return *a.Value
		}
	}
	t.Fatal("no sub")
	return ""
}

// scimDeactivate provisions a person through the SCIM front door (a POST
// made from the sample), then sends the sample's PATCH for them: the
// person must be inactive and one scim request must be in the ledger.
func (w *world) scimDeactivate(t *testing.T, file, email string) {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(readEvent(t, file), &ev); err != nil {
		t.Fatal(err)
	}
	patchPath := ev["rawPath"].(string)
	create := map[string]any{}
	for k, v := range ev {
		create[k] = v
	}
	create["rawPath"] = "/scim/v2/Users"
	create["body"] = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + email + `","externalId":"ext-` + email + `","active":true,"emails":[{"value":"` + email + `","type":"work","primary":true}]}`
	rc := map[string]any{}
	for k, v := range ev["requestContext"].(map[string]any) {
		rc[k] = v
	}
	rc["http"] = map[string]any{"method": "POST", "path": "/scim/v2/Users"}
	create["requestContext"] = rc
	raw, _ := json.Marshal(create)
	var r httpResp
	if err := json.Unmarshal(w.invokeEvent(t, "api", file, raw).Payload, &r); err != nil || r.StatusCode != 201 {
		t.Fatalf("SCIM POST: %d %s %v", r.StatusCode, r.Body, err)
	}
	var u struct{ ID string }
	_ = json.Unmarshal([]byte(r.Body), &u)
	patch := strings.ReplaceAll(string(readEvent(t, file)), patchPath, "/scim/v2/Users/"+u.ID)
	patch = strings.ReplaceAll(patch, strings.TrimPrefix(patchPath, "/scim/v2/"), "Users/"+u.ID)
	if err := json.Unmarshal(w.invokeEvent(t, "api", file, []byte(patch)).Payload, &r); err != nil || r.StatusCode != 200 || !strings.Contains(r.Body, `"active":false`) {
		t.Fatalf("%s: %d %s %v", file, r.StatusCode, r.Body, err)
	}
	hist, _, err := w.ledger.History(context.Background(), email, "", 10)
	if err != nil || len(hist) != 1 || hist[0].Request.Source != "scim" || hist[0].Request.Actor != "scim:entra" {
		t.Fatalf("%s: history %+v %v", file, hist, err)
	}
	// DELETE (a transaction of deletes), then the user is gone.
	for _, step := range []struct {
		method string
		want   int
	}{{"DELETE", 204}, {"GET", 404}} {
		var ev map[string]any
		if err := json.Unmarshal([]byte(patch), &ev); err != nil {
			t.Fatal(err)
		}
		ev["body"] = ""
		rc := ev["requestContext"].(map[string]any)
		rc["http"].(map[string]any)["method"] = step.method
		raw, _ := json.Marshal(ev)
		if err := json.Unmarshal(w.invokeEvent(t, "api", file, raw).Payload, &r); err != nil || r.StatusCode != step.want {
			t.Fatalf("%s: SCIM %s: %d %s %v, want %d", file, step.method, r.StatusCode, r.Body, err, step.want)
		}
	}
}
