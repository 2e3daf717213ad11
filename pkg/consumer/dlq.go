package consumer

import (
	"context"
	"strconv"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/retry"
)

// deadLetter sends every failed item to the DLQ with its original body and
// the reason. What cannot be sent becomes a retry: it must not be deleted
// from the queue before its copy is safe.
func (c *Consumer) deadLetter(ctx context.Context, items []*item) {
	var dead []*item
	for _, it := range items {
		if it.res.outcome == message.Failed {
			dead = append(dead, it)
		}
	}
	if len(dead) == 0 {
		return
	}
	if c.Config.DLQURL == "" || c.DLQ == nil {
		c.Log.Error("DLQ_URL is not set: permanent failures are retried until SQS redrives them", "count", len(dead))
		for _, it := range dead {
			it.res.outcome = message.Retrying
		}
		return
	}
	out := make([]queue.Outgoing, len(dead))
	for i, it := range dead {
		out[i] = queue.Outgoing{Body: it.rec.Body, Attributes: dlqAttributes(it)}
	}
	sctx, cancel := sendWindow(ctx)
	defer cancel()
	unsent, err := queue.SendAll(sctx, c.DLQ, c.Config.DLQURL, out, retry.AWS)
	for _, i := range unsent {
		dead[i].res.outcome = message.Retrying
		dead[i].res.errMsg = "could not be sent to the DLQ (" + string(dead[i].res.code) + "): " + dead[i].res.errMsg
	}
	if len(unsent) > 0 {
		c.Log.Error("sending to the DLQ failed; those messages will be retried", "count", len(unsent), "error", err)
	}
}

// dlqAttributes are the message's own attributes (its redrive_count) and
// the reason (docs/design.md §3).
func dlqAttributes(it *item) map[string]string {
	a := map[string]string{}
	for k, v := range it.rec.MessageAttributes {
		if v.StringValue != nil && *v.StringValue != "" && (v.DataType == "String" || v.DataType == "Number") {
			a[k] = *v.StringValue
		}
	}
	a[message.AttrErrorCode] = string(it.res.code)
	a[message.AttrErrorMessage] = provider.Truncate(it.res.errMsg, message.MaxErrorMessage)
	if a[message.AttrErrorMessage] == "" {
		a[message.AttrErrorMessage] = string(it.res.code)
	}
	delete(a, message.AttrLastErrorCode)
	if it.res.code == message.CodeExhausted && it.res.last != "" {
		a[message.AttrLastErrorCode] = string(it.res.last)
	}
	delete(a, message.AttrHTTPStatus)
	if it.res.status > 0 {
		a[message.AttrHTTPStatus] = strconv.Itoa(it.res.status)
	}
	delete(a, message.AttrConnection)
	delete(a, message.AttrProvider)
	if it.msg != nil {
		if it.msg.Connection != "" {
			a[message.AttrConnection] = it.msg.Connection
		}
		if it.msg.Provider != "" {
			a[message.AttrProvider] = it.msg.Provider
		}
	}
	return a
}

// sendWindow is the context of a send the invocation must finish: it ends
// 200 ms before the invocation's deadline, so the answer to SQS is still
// made in time (the DLQ and the proof messages share it).
func sendWindow(ctx context.Context) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok {
		return context.WithDeadline(ctx, dl.Add(-200*time.Millisecond))
	}
	return context.WithCancel(ctx)
}
