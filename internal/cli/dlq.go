package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/sweep"
)

func runDLQ(ctx context.Context, io IO, args []string) int {
	if len(args) == 0 || (args[0] != "list" && args[0] != "redrive") {
		fmt.Fprintln(io.Err, "Usage: revokectl dlq list [flags]\n       revokectl dlq redrive [flags]\nRun with -h for flags.")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return ExitOK
		}
		return ExitUsage
	}
	if args[0] == "list" {
		return dlqList(ctx, io, args[1:])
	}
	return dlqRedrive(ctx, io, args[1:])
}

func sqsQueue(ctx context.Context) (*queue.SQS, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	return &queue.SQS{API: sqs.NewFromConfig(cfg)}, nil
}

func dlqList(ctx context.Context, io IO, args []string) int {
	fs := flags(io, "dlq list", "[flags]", "Lists dead-letter messages with their reasons. Messages are made visible again at once.")
	dlqURL := fs.String("dlq-url", os.Getenv("DLQ_URL"), "the dead-letter queue (default $DLQ_URL)")
	max := fs.Int("max", 100, "at most this many messages")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if *dlqURL == "" {
		return usageErr(io, "--dlq-url (or $DLQ_URL) is required")
	}
	if *max < 1 || *max > 10000 {
		return usageErr(io, "--max must be 1 to 10000")
	}
	q, err := sqsQueue(ctx)
	if err != nil {
		return fail(io, "aws: %v", err)
	}
	var msgs []queue.Received
	defer func() {
		for _, m := range msgs {
			_ = q.ChangeVisibility(context.WithoutCancel(ctx), *dlqURL, m.ReceiptHandle, 0)
		}
	}()
	seen := map[string]bool{}
	for empty := 0; len(msgs) < *max && empty < 2; {
		got, err := q.Receive(ctx, *dlqURL, min(queue.MaxBatch, *max-len(msgs)), 60*time.Second)
		if err != nil {
			return fail(io, "receive: %v", err)
		}
		if len(got) == 0 {
			empty++
		}
		for _, m := range got {
			if !seen[m.ID] {
				seen[m.ID] = true
				msgs = append(msgs, m)
			}
		}
	}
	tw := tabwriter.NewWriter(io.Out, 0, 0, 2, ' ', 0)
	if !*asJSON {
		fmt.Fprintln(tw, "SENT\tCONNECTION\tPROVIDER\tTARGET\tERROR_CODE\tHTTP\tREDRIVES\tERROR_MESSAGE")
	}
	for _, m := range msgs {
		target := "(malformed body)"
		if msg, err := message.Decode(m.Body); err == nil {
			target = msg.Subject()
		}
		sent := ""
		if ms, err := strconv.ParseInt(m.System[queue.AttrSentTimestamp], 10, 64); err == nil {
			sent = time.UnixMilli(ms).UTC().Format(time.RFC3339)
		}
		code := m.Attributes[message.AttrErrorCode]
		if code == "" {
			code = "(retries exhausted)"
		}
		if *asJSON {
			b, _ := json.Marshal(map[string]any{"message_id": m.ID, "sent": sent, "target": target, "attributes": m.Attributes, "body": json.RawMessage(safeJSON(m.Body))})
			fmt.Fprintln(io.Out, string(b))
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", sent, m.Attributes[message.AttrConnection], m.Attributes[message.AttrProvider],
			target, code, m.Attributes[message.AttrHTTPStatus], m.Attributes[message.AttrRedriveCount], m.Attributes[message.AttrErrorMessage])
	}
	tw.Flush()
	fmt.Fprintf(io.Err, "revokectl: %d message(s) in the DLQ (listed up to %d)\n", len(msgs), *max)
	return ExitOK
}

func safeJSON(s string) string {
	if json.Valid([]byte(s)) {
		return s
	}
	b, _ := json.Marshal(s)
	return string(b)
}

func dlqRedrive(ctx context.Context, io IO, args []string) int {
	fs := flags(io, "dlq redrive", "[flags]",
		"Moves dead-letter messages back to the revoke queue (receive, send, then delete), counting redrives.\n  By default only transient failures (no error_code, or exhausted); --all also re-drives permanent ones\n  (after you fixed their cause). --dry-run changes nothing.")
	dlqURL := fs.String("dlq-url", os.Getenv("DLQ_URL"), "the dead-letter queue (default $DLQ_URL)")
	queueURL := fs.String("queue-url", os.Getenv("QUEUE_URL"), "the revoke queue (default $QUEUE_URL)")
	dry := fs.Bool("dry-run", false, "report what would move, change nothing")
	all := fs.Bool("all", false, "re-drive permanent failures too")
	max := fs.Int("max", 500, "at most this many messages")
	minAge := fs.Duration("min-age", 0, "only messages at least this old")
	maxRedrives := fs.Int("max-redrives", 1000, "leave messages already re-driven this often")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if *dlqURL == "" || *queueURL == "" {
		return usageErr(io, "--dlq-url and --queue-url (or $DLQ_URL and $QUEUE_URL) are required")
	}
	if *max < 1 || *max > 100000 || *minAge < 0 || *maxRedrives < 0 {
		return usageErr(io, "--max must be 1 to 100000; --min-age and --max-redrives not negative")
	}
	q, err := sqsQueue(ctx)
	if err != nil {
		return fail(io, "aws: %v", err)
	}
	s := &sweep.Sweeper{Config: &config.Config{QueueURL: *queueURL, DLQURL: *dlqURL}, Queue: q,
		Log: audit.NewLogger(io.Err, slog.LevelWarn), RedriveAll: *all}
	in, _ := json.Marshal(map[string]any{"dry_run": *dry, "redrive": map[string]int{
		"max_messages": *max, "min_age_seconds": int(minAge.Seconds()), "max_redrives": *maxRedrives}})
	res, err := s.Handle(ctx, in)
	if err != nil {
		return fail(io, "%v", err)
	}
	b, _ := json.MarshalIndent(res.Redrive, "", "  ")
	fmt.Fprintln(io.Out, string(b))
	verb := "re-driven"
	if *dry {
		verb = "would be re-driven"
	}
	fmt.Fprintf(io.Err, "revokectl: %d %s, %d kept\n", res.Redriven, verb, res.Kept)
	if !res.Complete {
		return fail(io, "re-drive incomplete: %s", res.Redrive.Error)
	}
	return ExitOK
}
