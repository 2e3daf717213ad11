package api

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/internal/awstest"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/secrets"
)

// TestIntegrationSQS sends through a real SQS protocol (moto) and a real
// Secrets Manager token secret.
func TestIntegrationSQS(t *testing.T) {
	aws := awstest.New(t)
	url := aws.Queue(t, "api-it", nil)
	secretID := awstest.Unique("revoke/api-tokens")
	aws.Secret(t, secretID, `{"tokens":["`+token+`"]}`)

	e := newEnv(t, map[string]string{"QUEUE_URL": url, "API_TOKENS_SECRET_ID": secretID})
	e.h.Submit.Queue = &queue.SQS{API: aws.SQS}
	led, _ := aws.Ledger(t)
	e.h.Submit.Ledger, e.h.Ledger, e.ledger = led, led, led
	e.h.Auth.Source = secrets.NewCache(&secrets.SecretsManager{API: aws.Secrets}, time.Minute)
	e.h.Auth.SecretID = secretID

	// Invalid: nothing arrives.
	if resp, _ := e.do(t, httpReq("POST", "/revocations", `{"targets":[{"connection":"crm","user_id":"ok"},{"connection":"crm","user_id":"a/b"}]}`, nil)); resp.StatusCode != 400 {
		t.Fatalf("invalid request: %d", resp.StatusCode)
	}
	// Valid, with "*" over 4 connections and 25 explicit targets: 29 messages.
	var ts []string
	for i := range 25 {
		ts = append(ts, `{"connection":"wiki","user_id":"u-`+string(rune('a'+i))+`"}`)
	}
	ts = append(ts, `{"connection":"*","email":"bob@example.com"}`)
	resp, body := e.do(t, httpReq("POST", "/revocations", `{"reason":"it","targets":[`+strings.Join(ts, ",")+`]}`, nil))
	if resp.StatusCode != 202 || body["accepted"] != float64(29) {
		t.Fatalf("%d %v", resp.StatusCode, body)
	}
	got := aws.Drain(t, url)
	var subjects []string
	for _, m := range got {
		msg, err := message.Decode(*m.Body)
		if err != nil {
			t.Fatal(err)
		}
		if msg.RequestID != body["request_id"] || msg.Reason != "it" {
			t.Errorf("message %+v", msg)
		}
		subjects = append(subjects, msg.Connection+":"+msg.Subject())
	}
	sort.Strings(subjects)
	if len(subjects) != 29 {
		t.Fatalf("queue holds %d messages, want 29: %v", len(subjects), subjects)
	}
	for i := 1; i < len(subjects); i++ {
		if subjects[i] == subjects[i-1] {
			t.Errorf("duplicate %s", subjects[i])
		}
	}
	for _, want := range []string{"crm:bob@example.com", "field-app:bob@example.com", "mendix:bob@example.com", "wiki:bob@example.com", "wiki:u-a", "wiki:u-y"} {
		if sort.SearchStrings(subjects, want) == len(subjects) || subjects[sort.SearchStrings(subjects, want)] != want {
			t.Errorf("missing %s", want)
		}
	}
}

// TestIntegrationLedger runs the ledger's API tests against moto's DynamoDB
// (a table made from ledger.TableInput, as the template declares it):
// status and history of a 1000-target request, paginated and as CSV,
// idempotent repeats, redelivered Okta events, dry runs. A ledger that
// cannot be written makes POST answer 503 with nothing queued.
func TestIntegrationLedger(t *testing.T) {
	aws := awstest.New(t)
	ledgerStore = func(t *testing.T) ledger.Store { _, s := aws.Ledger(t); return s }
	t.Cleanup(func() { ledgerStore = nil })
	for _, c := range []struct {
		name string
		test func(*testing.T)
	}{
		{"status", TestStatus}, {"history and CSV", TestHistoryAndCSV}, {"idempotency", TestIdempotencyKey},
		{"repeat queues the unqueued", TestRepeatQueuesOnlyWhatWasNotQueued}, {"dry run", TestDryRunRequests}, {"okta events", TestOktaEvents},
	} {
		t.Run(c.name, c.test)
	}
	ledgerStore = func(t *testing.T) ledger.Store { return &ledger.Dynamo{API: aws.Dynamo, Table: "no-such-table"} }
	e := newEnv(t, nil)
	if resp, _ := e.do(t, httpReq("POST", "/revocations", validBody, nil)); resp.StatusCode != 503 || e.q.Calls() != 0 {
		t.Fatalf("ledger unreachable: %d, %d queue calls", resp.StatusCode, e.q.Calls())
	}
}
