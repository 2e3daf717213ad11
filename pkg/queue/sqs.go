package queue

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SQSAPI is the part of the SDK client the SQS queue uses.
type SQSAPI interface {
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opt ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opt ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, opt ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opt ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

// SQS is a Queue on Amazon SQS.
type SQS struct{ API SQSAPI }

var _ Queue = (*SQS)(nil)

// SendBatch implements Sender.
func (q *SQS) SendBatch(ctx context.Context, url string, msgs []Outgoing) ([]int, error) {
	entries := make([]sqstypes.SendMessageBatchRequestEntry, len(msgs))
	for i, m := range msgs {
		entries[i] = sqstypes.SendMessageBatchRequestEntry{
			Id:                strPtr(strconv.Itoa(i)),
			MessageBody:       strPtr(m.Body),
			MessageAttributes: toSQSAttrs(m.Attributes),
		}
	}
	out, err := q.API.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: entries})
	if err != nil {
		return nil, err
	}
	var failed []int
	for _, f := range out.Failed {
		if f.Id == nil {
			continue
		}
		if i, err := strconv.Atoi(*f.Id); err == nil {
			failed = append(failed, i)
		}
	}
	if len(out.Successful)+len(failed) < len(msgs) {
		// Entries neither sent nor refused: treat as refused so they are retried.
		ok := map[string]bool{}
		for _, s := range out.Successful {
			if s.Id != nil {
				ok[*s.Id] = true
			}
		}
		for i := range msgs {
			if !ok[strconv.Itoa(i)] && !slices.Contains(failed, i) {
				failed = append(failed, i)
			}
		}
	}
	return failed, nil
}

// Receive implements Receiver.
func (q *SQS) Receive(ctx context.Context, url string, n int, visibility time.Duration) ([]Received, error) {
	out, err := q.API.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    &url,
		MaxNumberOfMessages:         int32(min(max(n, 1), MaxBatch)),
		VisibilityTimeout:           int32(visibility / time.Second),
		MessageAttributeNames:       []string{"All"},
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
	})
	if err != nil {
		return nil, fmt.Errorf("queue: receive: %w", err)
	}
	res := make([]Received, 0, len(out.Messages))
	for _, m := range out.Messages {
		r := Received{ID: deref(m.MessageId), ReceiptHandle: deref(m.ReceiptHandle), Body: deref(m.Body), System: m.Attributes}
		if len(m.MessageAttributes) > 0 {
			r.Attributes = make(map[string]string, len(m.MessageAttributes))
			for k, v := range m.MessageAttributes {
				r.Attributes[k] = deref(v.StringValue)
			}
		}
		res = append(res, r)
	}
	return res, nil
}

// Delete implements Receiver.
func (q *SQS) Delete(ctx context.Context, url, receipt string) error {
	_, err := q.API.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: &receipt})
	if err != nil {
		return fmt.Errorf("queue: delete: %w", err)
	}
	return nil
}

// ChangeVisibility implements Receiver.
func (q *SQS) ChangeVisibility(ctx context.Context, url, receipt string, d time.Duration) error {
	_, err := q.API.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: &url, ReceiptHandle: &receipt, VisibilityTimeout: int32(d / time.Second),
	})
	if err != nil {
		return fmt.Errorf("queue: change visibility: %w", err)
	}
	return nil
}

func toSQSAttrs(a map[string]string) map[string]sqstypes.MessageAttributeValue {
	if len(a) == 0 {
		return nil
	}
	out := make(map[string]sqstypes.MessageAttributeValue, len(a))
	for k, v := range a {
		if v == "" {
			continue // SQS refuses empty attribute values
		}
		out[k] = sqstypes.MessageAttributeValue{DataType: strPtr("String"), StringValue: strPtr(v)}
	}
	return out
}

func strPtr(s string) *string { return &s }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
