package queue

import (
	"context"
	"time"
)

// MaxBatch is the most entries SQS takes in one batch call.
const MaxBatch = 10

// Attribute names of system attributes revoke reads.
const (
	AttrSentTimestamp = "SentTimestamp"           // ms since the epoch
	AttrReceiveCount  = "ApproximateReceiveCount" // deliveries so far
)

// Outgoing is a message to send. Attributes are SQS message attributes of
// type String.
type Outgoing struct {
	Body       string
	Attributes map[string]string
}

// Received is a delivered message.
type Received struct {
	ID            string
	ReceiptHandle string
	Body          string
	Attributes    map[string]string // message attributes
	System        map[string]string // SentTimestamp, ApproximateReceiveCount
}

// Sender sends up to MaxBatch messages in one call and returns the indexes
// of entries the queue refused (the call as a whole succeeded). A non-nil
// error means no entry is known to be sent. Safe for concurrent use.
type Sender interface {
	SendBatch(ctx context.Context, url string, msgs []Outgoing) (failed []int, err error)
}

// Receiver receives and settles messages. Safe for concurrent use.
type Receiver interface {
	// Receive returns up to max (≤ 10) messages, hidden for visibility.
	Receive(ctx context.Context, url string, max int, visibility time.Duration) ([]Received, error)
	Delete(ctx context.Context, url, receiptHandle string) error
	ChangeVisibility(ctx context.Context, url, receiptHandle string, d time.Duration) error
}

// Queue is both.
type Queue interface {
	Sender
	Receiver
}
