package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/revoke-dev/revoke/internal/simulator"
)

// driftAndOrphans (events/sweep-drift-orphans.json, after sqs-batch.json
// revoked the sample users): an admin re-enables the SCIM sample user and
// a contractor nobody offboarded is at the SCIM service. The sweep queues
// the reads; the consumer, under its role, reads the accounts back
// (drift recorded, with the revocation's target showing drift) and the
// listing's page; the next sweep compares it; GET /orphans lists the
// contractor and not the revoked (now drifted) account.
func (w *world) driftAndOrphans(t *testing.T) {
	const drifted = "2819c223-7f76-453a-919d-413861904646"
	// A revocation whose read-back did not fit beside its invocation's
	// changes (a loaded machine) travelled on as a proof message: prove it
	// first, as the consumer's next poll would, so the account counts as
	// revoked when the drift check asks.
	w.consume(t, w.takeMessages(t, `"proof":`))
	w.SC.Add(simulator.User{ID: drifted, Email: "bob@example.com"}, simulator.User{ID: "e2e-orphan", Email: "nobody-e2e@example.com"})
	var r struct {
		Drift []struct {
			Connection, Status string
			Queued             int
		} `json:"drift"`
		Orphans []struct{ Connection, Status string } `json:"orphans"`
	}
	if err := json.Unmarshal(w.invoke(t, "sweep", "sweep-drift-orphans.json").Payload, &r); err != nil || len(r.Orphans) != 1 || r.Orphans[0].Status != "started" {
		t.Fatalf("first sweep %+v %v", r, err)
	}
	reads := w.takeReads(t)
	if len(reads) < 2 {
		t.Fatalf("%d background reads queued, want the checks and the listing", len(reads))
	}
	var resp struct {
		BatchItemFailures []struct{ ItemIdentifier string } `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(w.invokeEvent(t, "consumer", "background reads", sqsEvent(reads)).Payload, &resp); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("consumer %+v %v", resp, err)
	}
	d, _, err := w.ledger.ListDrift(context.Background(), "", 10)
	if err != nil || len(d) != 1 || d[0].UserID != drifted || d[0].OnDrift != "alert" {
		t.Fatalf("drift %+v %v", d, err)
	}
	if err := json.Unmarshal(w.invoke(t, "sweep", "sweep-drift-orphans.json").Payload, &r); err != nil || len(r.Orphans) != 1 || r.Orphans[0].Status != "compared" {
		t.Fatalf("second sweep %+v %v", r, err)
	}
	ev := strings.NewReplacer(`"rawPath": "/revocations"`, `"rawPath": "/orphans"`, `"rawQueryString": ""`, `"rawQueryString": "connection=wiki"`,
		`"method": "POST"`, `"method": "GET"`).Replace(string(readEvent(t, "api-revoke.json")))
	var hr httpResp
	if err := json.Unmarshal(w.invokeEvent(t, "api", "GET /orphans", []byte(ev)).Payload, &hr); err != nil || hr.StatusCode != 200 {
		t.Fatalf("GET /orphans: %+v %v", hr, err)
	}
	if !strings.Contains(hr.Body, `"user_id":"e2e-orphan"`) || strings.Contains(hr.Body, drifted) {
		t.Fatalf("GET /orphans: %s", hr.Body)
	}
}

// consume hands bodies to the consumer function as one SQS batch; every
// one must settle.
func (w *world) consume(t *testing.T, bodies []string) {
	t.Helper()
	if len(bodies) == 0 {
		return
	}
	var resp struct {
		BatchItemFailures []struct{ ItemIdentifier string } `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(w.invokeEvent(t, "consumer", "queued messages", sqsEvent(bodies)).Payload, &resp); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("consumer %+v %v", resp, err)
	}
}

// takeReads receives the revoke queue's background reads (drift checks,
// listing pages) and leaves every other message visible for the checks
// after this one.
func (w *world) takeReads(t *testing.T) []string {
	t.Helper()
	return w.takeMessages(t, `"kind":`)
}

// takeMessages receives the revoke queue's messages whose body contains
// marker, deletes them, and leaves every other message visible.
func (w *world) takeMessages(t *testing.T, marker string) []string {
	t.Helper()
	ctx := context.Background()
	var reads, others []string
	for empty := 0; empty < 2; {
		out, err := w.aws.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &w.queue, MaxNumberOfMessages: 10, VisibilityTimeout: 60})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			empty++
			continue
		}
		for _, m := range out.Messages {
			if strings.Contains(*m.Body, marker) {
				reads = append(reads, *m.Body)
				if _, err := w.aws.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &w.queue, ReceiptHandle: m.ReceiptHandle}); err != nil {
					t.Fatal(err)
				}
				continue
			}
			others = append(others, *m.ReceiptHandle)
		}
	}
	for _, h := range others {
		if _, err := w.aws.SQS.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &w.queue, ReceiptHandle: aws.String(h), VisibilityTimeout: 0}); err != nil {
			t.Fatal(err)
		}
	}
	return reads
}

// sqsEvent is an SQS event of bodies, each on its first delivery.
func sqsEvent(bodies []string) []byte {
	type record struct {
		MessageID  string            `json:"messageId"`
		Body       string            `json:"body"`
		Attributes map[string]string `json:"attributes"`
		Source     string            `json:"eventSource"`
		ARN        string            `json:"eventSourceARN"`
	}
	var ev struct {
		Records []record `json:"Records"`
	}
	for i, b := range bodies {
		ev.Records = append(ev.Records, record{MessageID: fmt.Sprintf("bg-%d", i), Body: b, Attributes: map[string]string{"ApproximateReceiveCount": "1"},
			Source: "aws:sqs", ARN: "arn:aws:sqs:us-east-1:123456789012:revoke-RevokeQueue"})
	}
	b, _ := json.Marshal(ev)
	return b
}
