package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/revoke-dev/revoke/pkg/queue"
)

// invoker starts an asynchronous invocation of a function.
type invoker interface {
	InvokeAsync(ctx context.Context, function string, payload []byte) error
}

type lambdaInvoker struct{ api *lambda.Client }

func (l lambdaInvoker) InvokeAsync(ctx context.Context, function string, payload []byte) error {
	out, err := l.api.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(function),
		InvocationType: types.InvocationTypeEvent, Payload: payload})
	if err != nil {
		return err
	}
	if out.StatusCode != 202 {
		return fmt.Errorf("invoke answered %d, want 202", out.StatusCode)
	}
	return nil
}

// failureRecord is what Lambda sends to an asynchronous invocation's
// on-failure destination: the original event is requestPayload.
type failureRecord struct {
	RequestContext struct {
		RequestID              string `json:"requestId"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	RequestPayload json.RawMessage `json:"requestPayload"`
}

func runReplay(ctx context.Context, io IO, args []string) int {
	fs := flags(io, "replay", "[flags]",
		"Replays identity events the trigger function failed to process (its on-failure queue, the stack's\n  TriggerFailureQueueUrl output): each event is invoked again asynchronously, then deleted from the\n  queue. Replays are safe: the trigger deduplicates by event id. --dry-run changes nothing.")
	queueURL := fs.String("queue-url", os.Getenv("TRIGGER_FAILURE_QUEUE_URL"), "the trigger's on-failure queue (default $TRIGGER_FAILURE_QUEUE_URL)")
	function := fs.String("function", os.Getenv("TRIGGER_FUNCTION"), "the trigger function's name or ARN (default $TRIGGER_FUNCTION)")
	max := fs.Int("max", 500, "at most this many events")
	dry := fs.Bool("dry-run", false, "report what would be replayed, change nothing")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if *queueURL == "" || *function == "" {
		return usageErr(io, "--queue-url and --function (or $TRIGGER_FAILURE_QUEUE_URL and $TRIGGER_FUNCTION) are required")
	}
	if *max < 1 || *max > 100000 {
		return usageErr(io, "--max must be 1 to 100000")
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return fail(io, "aws: %v", err)
	}
	q := &queue.SQS{API: sqs.NewFromConfig(cfg)}
	return replay(ctx, io, q, lambdaInvoker{lambda.NewFromConfig(cfg)}, *queueURL, *function, *max, *dry)
}

// replay moves up to max failure records back into the function. A record
// is deleted only after its event was accepted; one that cannot be
// replayed stays in the queue (visible again after its timeout).
func replay(ctx context.Context, io IO, q queue.Receiver, inv invoker, queueURL, function string, max int, dry bool) int {
	replayed, kept, failed := 0, 0, 0
	seen := map[string]bool{}
	var looked []string
	defer func() {
		// Whatever was received but not replayed is visible again at once.
		for _, h := range looked {
			_ = q.ChangeVisibility(context.WithoutCancel(ctx), queueURL, h, 0)
		}
	}()
	for empty := 0; replayed+kept+failed < max && empty < 2; {
		got, err := q.Receive(ctx, queueURL, min(queue.MaxBatch, max-replayed-kept-failed), 60*time.Second)
		if err != nil {
			return fail(io, "receive: %v", err)
		}
		if len(got) == 0 {
			empty++
		}
		for _, m := range got {
			if seen[m.ID] {
				continue
			}
			seen[m.ID] = true
			var rec failureRecord
			if err := json.Unmarshal([]byte(m.Body), &rec); err != nil || len(rec.RequestPayload) == 0 || string(rec.RequestPayload) == "null" {
				fmt.Fprintf(io.Err, "revokectl: message %s is not a Lambda failure record; kept\n", m.ID)
				looked = append(looked, m.ReceiptHandle)
				kept++
				continue
			}
			if dry {
				fmt.Fprintf(io.Out, "would replay %s (invocation %s, %s after %d attempt(s))\n", m.ID, rec.RequestContext.RequestID, rec.RequestContext.Condition, rec.RequestContext.ApproximateInvokeCount)
				looked = append(looked, m.ReceiptHandle)
				replayed++
				continue
			}
			if err := inv.InvokeAsync(ctx, function, rec.RequestPayload); err != nil {
				fmt.Fprintf(io.Err, "revokectl: replay %s: %v; kept\n", m.ID, err)
				looked = append(looked, m.ReceiptHandle)
				failed++
				continue
			}
			if err := q.Delete(ctx, queueURL, m.ReceiptHandle); err != nil {
				// Replayed but not deleted: a second replay is harmless
				// (the trigger deduplicates), so report and go on.
				fmt.Fprintf(io.Err, "revokectl: replayed %s but could not delete it: %v\n", m.ID, err)
			}
			fmt.Fprintf(io.Out, "replayed %s (invocation %s)\n", m.ID, rec.RequestContext.RequestID)
			replayed++
		}
	}
	if dry {
		fmt.Fprintf(io.Err, "revokectl: %d would be replayed, %d kept\n", replayed, kept)
		return ExitOK
	}
	fmt.Fprintf(io.Err, "revokectl: %d replayed, %d kept, %d failed\n", replayed, kept, failed)
	if failed > 0 {
		return ExitFail
	}
	return ExitOK
}
