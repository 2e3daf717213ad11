package sweep

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/revoke-dev/revoke/internal/awstest"
	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/secrets"
)

// The re-drive's receive–send–delete on SQS itself (moto): a transient
// failure moves with its counter, a permanent one stays, and the kept one
// is visible again at once.
func TestIntegrationRedriveSmoke(t *testing.T) {
	e := awstest.New(t)
	q, dlq := e.Queue(t, "sweep-q", nil), e.Queue(t, "sweep-dlq", nil)
	for body, code := range map[string]string{body(t, "t1"): "exhausted", body(t, "p1"): "not_found"} {
		attrs := map[string]sqstypes.MessageAttributeValue{"error_code": {DataType: aws.String("String"), StringValue: aws.String(code)}}
		if _, err := e.SQS.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: &dlq, MessageBody: aws.String(body), MessageAttributes: attrs}); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"CONNECTIONS": "crm=backendless", "QUEUE_URL": q, "DLQ_URL": dlq}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &Sweeper{Config: cfg, Queue: &queue.SQS{API: e.SQS}, Secrets: secrets.NewCache(&inmem.Secrets{}, time.Minute), Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
	r, err := s.Handle(context.Background(), json.RawMessage(`{"redrive":{"min_age_seconds":0}}`))
	if err != nil || r.Redriven != 1 || r.Redrive.KeptPermanent != 1 {
		t.Fatalf("%+v %v", r.Redrive, err)
	}
	moved := e.Drain(t, q)
	if len(moved) != 1 || *moved[0].MessageAttributes["redrive_count"].StringValue != "1" || moved[0].MessageAttributes["error_code"].StringValue != nil {
		t.Fatalf("%+v", moved)
	}
	if kept := e.Drain(t, dlq); len(kept) != 1 {
		t.Fatalf("DLQ holds %d", len(kept))
	}
	_ = time.Second
}
