package consumer

import (
	"context"
	"strconv"
	"time"

	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/retry"
)

// DLQ message attributes (DESIGN.md §3).
const (
	AttrErrorCode    = "error_code"
	AttrErrorMessage = "error_message"
	AttrHTTPStatus   = "http_status"
	AttrConnection   = "connection"
	AttrProvider     = "provider"
)

// deadLetter sends every permanent failure to the DLQ with its original
// body and the reason. What cannot be sent becomes a retry: it must not be
// deleted from the queue before its copy is safe.
func (c *Consumer) deadLetter(ctx context.Context, items []*item) {
	var dead []*item
	for _, it := range items {
		if it.res.outcome == audit.OutcomeDLQ {
			dead = append(dead, it)
		}
	}
	if len(dead) == 0 {
		return
	}
	if c.Config.DLQURL == "" || c.DLQ == nil {
		c.Log.Error("DLQ_URL is not set: permanent failures are retried until SQS redrives them", "count", len(dead))
		for _, it := range dead {
			it.res.outcome = audit.OutcomeRetry
		}
		return
	}
	out := make([]queue.Outgoing, len(dead))
	for i, it := range dead {
		out[i] = queue.Outgoing{Body: it.rec.Body, Attributes: dlqAttributes(it)}
	}
	sctx := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		sctx, cancel = context.WithDeadline(ctx, dl.Add(-200*time.Millisecond))
		defer cancel()
	}
	unsent, err := queue.SendAll(sctx, c.DLQ, c.Config.DLQURL, out, retry.Policy{Attempts: 5, Base: 100 * time.Millisecond, Max: time.Second})
	for _, i := range unsent {
		dead[i].res.outcome = audit.OutcomeRetry
		dead[i].res.errMsg = "could not be sent to the DLQ (" + dead[i].res.code + "): " + dead[i].res.errMsg
	}
	if len(unsent) > 0 {
		c.Log.Error("sending to the DLQ failed; those messages will be retried", "count", len(unsent), "error", err)
	}
}

func dlqAttributes(it *item) map[string]string {
	a := map[string]string{}
	for k, v := range it.rec.MessageAttributes {
		if v.StringValue != nil && *v.StringValue != "" && (v.DataType == "String" || v.DataType == "Number") {
			a[k] = *v.StringValue
		}
	}
	a[AttrErrorCode] = it.res.code
	a[AttrErrorMessage] = rest.Truncate(it.res.errMsg, 1000)
	if a[AttrErrorMessage] == "" {
		a[AttrErrorMessage] = it.res.code
	}
	delete(a, AttrHTTPStatus)
	if it.res.status > 0 {
		a[AttrHTTPStatus] = strconv.Itoa(it.res.status)
	}
	delete(a, AttrConnection)
	delete(a, AttrProvider)
	if it.msg != nil {
		if it.msg.Connection != "" {
			a[AttrConnection] = it.msg.Connection
		}
		if it.msg.Provider != "" {
			a[AttrProvider] = it.msg.Provider
		}
	}
	return a
}
