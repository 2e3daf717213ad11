package e2e

// The end-to-end steps that exist to exercise the roles: calls the sample
// events leave idle, and roles with one action missing.

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// sweepMoves runs the sweep's calls the sample events leave idle, under its
// role: a transient DLQ message is re-driven (receive, send to the revoke
// queue, delete) and a request left unqueued for over 5 minutes is queued
// by the backstop (by-time index query, send, mark queued).
func (w *world) sweepMoves(t *testing.T) {
	ctx := context.Background()
	var batch struct{ Records []struct{ Body string } }
	if err := json.Unmarshal(readEvent(t, "sqs-batch.json"), &batch); err != nil || len(batch.Records) == 0 {
		t.Fatalf("sqs-batch.json: %v", err)
	}
	// No error_code: moved by SQS's own redrive, so transient. The second,
	// a permanent failure, stays: made visible again at the end of the run.
	if _, err := w.aws.SQS.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &w.dlq, MessageBody: &batch.Records[0].Body}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.aws.SQS.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &w.dlq, MessageBody: &batch.Records[1].Body,
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{message.AttrErrorCode: {DataType: aws.String("String"), StringValue: aws.String("not_found")}}}); err != nil {
		t.Fatal(err)
	}
	req := ledger.Request{ID: message.NewID(), Action: message.Revoke, Source: message.SourceAPI, Actor: "token:e2e",
		RequestedAt: time.Now().Add(-10 * time.Minute)}
	target := ledger.TargetOf(message.Target{Connection: "crm", Provider: "backendless", UserID: "4D584E4D-05A3-4AC4-90C7-B80D1584E7AD"})
	if err := w.ledger.CreateRequest(ctx, req, []ledger.Target{target}); err != nil {
		t.Fatal(err)
	}
	var r struct {
		Complete bool `json:"complete"`
		Redriven int  `json:"redriven"`
		Kept     int  `json:"kept"`
		Requeued int  `json:"requeued"`
	}
	in := []byte(`{"redrive": {"max_messages": 10, "min_age_seconds": 0, "max_redrives": 3}}`)
	// invokeEvent fails on a logged failure: a DLQ delete or a ledger
	// write the role refused is only logged, the sweep carries on.
	if err := json.Unmarshal(w.invokeEvent(t, "sweep", "re-drive input", in).Payload, &r); err != nil || !r.Complete || r.Redriven != 1 || r.Kept != 1 || r.Requeued != 1 {
		t.Fatalf("%+v %v", r, err)
	}
	// The sweep ignores a failed ChangeMessageVisibility: the kept message
	// must be visible right away (not after the run's long visibility).
	if kept := w.aws.Drain(t, w.dlq); len(kept) != 1 || *kept[0].Body != batch.Records[1].Body {
		t.Fatalf("DLQ after the sweep: %d messages, want the kept one visible", len(kept))
	}
	found := map[string]bool{}
	for _, m := range w.aws.Drain(t, w.queue) {
		d, err := message.Decode(*m.Body)
		if err == nil {
			found[d.RequestID] = true
		}
	}
	var redriven struct {
		RequestID string `json:"request_id"`
	}
	_ = json.Unmarshal([]byte(batch.Records[0].Body), &redriven)
	if !found[redriven.RequestID] || !found[req.ID] {
		t.Fatalf("revoke queue holds %v, want %s (re-driven) and %s (backstop)", found, redriven.RequestID, req.ID)
	}
}

// rolesWithout: for each function listed, a second IAM user holds its
// role's statements without that action.
var rolesWithout = map[string]string{"api": "dynamodb:BatchWriteItem", "consumer": "sqs:SendMessage*"}

// roleWithoutFails: the enforcement is real. Without dynamodb:BatchWriteItem the
// API cannot record a request, so it accepts nothing; without
// sqs:SendMessage* on the DLQ the consumer cannot set aside a permanent
// failure, so it hands the message back to SQS instead.
func (w *world) roleWithoutFails(t *testing.T) {
	// The same events pass under the full roles (the subtests above), so a
	// failure here is the missing action's. (Whether the 403 itself reaches
	// the log depends on timing: the SDK may still be retrying it when the
	// function's budget ends.)
	res, _ := w.invokeAs(t, "api", "api-dynamodb:BatchWriteItem", readEvent(t, "api-revoke.json"))
	var r httpResp
	if err := json.Unmarshal(res.Payload, &r); err != nil || r.StatusCode < 500 {
		t.Errorf("api without dynamodb:BatchWriteItem: %d %s %v, want a 5xx", r.StatusCode, r.Body, err)
	}
	res, _ = w.invokeAs(t, "consumer", "consumer-sqs:SendMessage*", readEvent(t, "sqs-batch.json"))
	var b struct {
		BatchItemFailures []struct{ ItemIdentifier string } `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(res.Payload, &b); err != nil || len(b.BatchItemFailures) == 0 {
		t.Errorf("consumer without sqs:SendMessage*: %s %v, want the DLQ-bound message back as a failure", res.Payload, err)
	}
	if dlq := w.aws.Drain(t, w.dlq); len(dlq) != 0 {
		t.Errorf("DLQ holds %d messages, want nothing sent", len(dlq))
	}
}
