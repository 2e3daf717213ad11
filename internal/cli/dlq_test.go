package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/revoke-dev/revoke/internal/awstest"
)

func TestIntegrationDLQ(t *testing.T) {
	e := awstest.New(t)
	q, dlq := e.Queue(t, "cli-q", nil), e.Queue(t, "cli-dlq", nil)
	send := func(body string, attrs map[string]string) {
		ma := map[string]sqstypes.MessageAttributeValue{}
		for k, v := range attrs {
			ma[k] = sqstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
		}
		if _, err := e.SQS.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: &dlq, MessageBody: &body, MessageAttributes: ma}); err != nil {
			t.Fatal(err)
		}
	}
	send(`{"v":1,"request_id":"r","action":"revoke","connection":"crm","provider":"backendless","user_id":"BL-1","requested_at":"2026-11-23T10:00:00Z"}`,
		map[string]string{"error_code": "not_found", "error_message": "no such user", "http_status": "404", "connection": "crm", "provider": "backendless"})
	send(`{"v":1,"request_id":"r","action":"revoke","connection":"wiki","provider":"scim","user_id":"sc-1","requested_at":"2026-11-23T10:00:00Z"}`, nil)

	code, out, errs := run(t, "", "dlq", "list", "--dlq-url", dlq)
	if code != ExitOK || !strings.Contains(out, "not_found") || !strings.Contains(out, "BL-1") || !strings.Contains(out, "(retries exhausted)") || !strings.Contains(errs, "2 message(s)") {
		t.Fatalf("list: %d\n%s\n%s", code, out, errs)
	}
	if code, out, _ := run(t, "", "dlq", "redrive", "--dlq-url", dlq, "--queue-url", q, "--dry-run"); code != ExitOK || !strings.Contains(out, `"redriven": 1`) {
		t.Fatalf("dry run: %d %s", code, out)
	}
	if got := e.Drain(t, q); len(got) != 0 {
		t.Fatal("dry run moved messages")
	}
	if code, out, _ := run(t, "", "dlq", "redrive", "--dlq-url", dlq, "--queue-url", q); code != ExitOK || !strings.Contains(out, `"redriven": 1`) || !strings.Contains(out, `"kept_permanent": 1`) {
		t.Fatalf("redrive: %d %s", code, out)
	}
	if code, out, _ := run(t, "", "dlq", "redrive", "--dlq-url", dlq, "--queue-url", q, "--all"); code != ExitOK || !strings.Contains(out, `"redriven": 1`) {
		t.Fatalf("redrive --all: %d %s", code, out)
	}
	if got := e.Drain(t, q); len(got) != 2 {
		t.Fatalf("queue holds %d, want 2", len(got))
	}
	if code, _, _ := run(t, "", "dlq", "list"); code != ExitUsage {
		t.Errorf("no url: %d", code)
	}
	if code, _, _ := run(t, "", "dlq", "purge"); code != ExitUsage {
		t.Errorf("unknown subcommand: %d", code)
	}
}
