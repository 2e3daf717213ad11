package sweep

import (
	"context"
	"strconv"
	"time"

	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/retry"
)

// RedriveResult counts a re-drive.
type RedriveResult struct {
	Examined        int    `json:"examined"`
	Redriven        int    `json:"redriven"` // in a dry run: would be re-driven
	Kept            int    `json:"kept"`
	KeptPermanent   int    `json:"kept_permanent"`
	KeptTooYoung    int    `json:"kept_too_young"`
	KeptMaxRedrives int    `json:"kept_max_redrives"`
	KeptSendFailed  int    `json:"kept_send_failed"`
	Complete        bool   `json:"complete"`
	Error           string `json:"error,omitempty"`
}

// Reasons a DLQ message is kept.
const (
	keepPermanent = "permanent"
	keepYoung     = "young"
	keepMax       = "max"
)

// redrive moves transient DLQ failures back to the queue by
// receive–send–delete; a DLQ message is deleted only after its copy is on
// the queue. Messages kept are made visible again when the run ends (ctx,
// not work, so that happens even when work's deadline passed).
func (s *Sweeper) redrive(ctx, work context.Context, dryRun bool, maxMessages int, minAge time.Duration, maxRedrives int) *RedriveResult {
	res := &RedriveResult{Complete: true}
	if s.Config.DLQURL == "" || s.Config.QueueURL == "" {
		res.Error, res.Complete = "DLQ_URL and QUEUE_URL must be set", false
		return res
	}
	vis := 30 * time.Second
	if dl, ok := work.Deadline(); ok {
		vis = min(max(time.Until(dl)+30*time.Second, 30*time.Second), 12*time.Hour)
	}
	var keep []string
	defer func() {
		for _, rh := range keep {
			_ = s.Queue.ChangeVisibility(context.WithoutCancel(ctx), s.Config.DLQURL, rh, 0)
		}
	}()
	seen := map[string]bool{}
	for empty := 0; res.Examined < maxMessages && empty < 2; {
		if work.Err() != nil {
			res.Complete = false
			break
		}
		msgs, err := s.Queue.Receive(work, s.Config.DLQURL, min(queue.MaxBatch, maxMessages-res.Examined), vis)
		if err != nil {
			res.Error, res.Complete = "receive from the DLQ failed", false
			s.Log.Error("sweep: receive from the DLQ", "error", err)
			break
		}
		if len(msgs) == 0 {
			empty++
			continue
		}
		empty = 0
		move := s.sort(msgs, seen, dryRun, minAge, maxRedrives, res, &keep)
		if len(move) > 0 {
			keep = append(keep, s.move(work, move, res)...)
		}
	}
	return res
}

// sort decides each received message: those to move are returned; kept
// ones (and, in a dry run, those that would move) are added to keep.
func (s *Sweeper) sort(msgs []queue.Received, seen map[string]bool, dryRun bool, minAge time.Duration, maxRedrives int, res *RedriveResult, keep *[]string) []queue.Received {
	var move []queue.Received
	for _, m := range msgs {
		if seen[m.ID] {
			*keep = append(*keep, m.ReceiptHandle)
			continue
		}
		seen[m.ID] = true
		res.Examined++
		why := s.decide(m, minAge, maxRedrives)
		switch {
		case why == "" && !dryRun:
			move = append(move, m)
			continue
		case why == "":
			res.Redriven++
		default:
			res.Kept++
			switch why {
			case keepPermanent:
				res.KeptPermanent++
			case keepYoung:
				res.KeptTooYoung++
			case keepMax:
				res.KeptMaxRedrives++
			}
		}
		*keep = append(*keep, m.ReceiptHandle)
	}
	return move
}

// decide returns "" to re-drive, or why the message stays.
func (s *Sweeper) decide(m queue.Received, minAge time.Duration, maxRedrives int) string {
	if code := message.Code(m.Attributes[message.AttrErrorCode]); !code.Transient() && !s.RedriveAll {
		return keepPermanent
	}
	if n, _ := strconv.Atoi(m.Attributes[message.AttrRedriveCount]); n >= maxRedrives {
		return keepMax
	}
	if ms, err := strconv.ParseInt(m.System[queue.AttrSentTimestamp], 10, 64); err == nil && s.now().Sub(time.UnixMilli(ms)) < minAge {
		return keepYoung
	}
	return ""
}

// move sends messages to the queue, deletes the DLQ copies that made it,
// and records each re-drive in the ledger; it returns the receipt handles
// of those to keep.
func (s *Sweeper) move(ctx context.Context, msgs []queue.Received, res *RedriveResult) (keep []string) {
	out := make([]queue.Outgoing, len(msgs))
	for i, m := range msgs {
		attrs := map[string]string{}
		for k, v := range m.Attributes {
			switch k {
			case message.AttrErrorCode, message.AttrLastErrorCode, message.AttrErrorMessage, message.AttrHTTPStatus:
			default:
				attrs[k] = v
			}
		}
		n, _ := strconv.Atoi(m.Attributes[message.AttrRedriveCount])
		attrs[message.AttrRedriveCount] = strconv.Itoa(n + 1)
		out[i] = queue.Outgoing{Body: m.Body, Attributes: attrs}
	}
	unsent, err := queue.SendAll(ctx, s.Queue, s.Config.QueueURL, out, retry.AWS)
	failed := map[int]bool{}
	for _, i := range unsent {
		failed[i] = true
	}
	if err != nil {
		s.Log.Error("sweep: re-drive send failed; those messages stay in the DLQ", "count", len(unsent), "error", err)
	}
	var attempts []ledger.Attempt
	for i, m := range msgs {
		if failed[i] {
			res.Kept++
			res.KeptSendFailed++
			keep = append(keep, m.ReceiptHandle)
			continue
		}
		res.Redriven++
		if err := s.Queue.Delete(ctx, s.Config.DLQURL, m.ReceiptHandle); err != nil {
			// The copy is on the queue; a duplicate in the DLQ is harmless (revocation is idempotent).
			s.Log.Warn("sweep: delete from the DLQ failed after re-drive", "message_id", m.ID, "error", err)
		}
		if msg, err := message.Decode(m.Body); err == nil {
			n, _ := strconv.Atoi(out[i].Attributes[message.AttrRedriveCount])
			attempts = append(attempts, ledger.Attempt{RequestID: msg.RequestID, Key: msg.Key(), MessageID: m.ID,
				Outcome: message.Retrying, Code: message.Code(m.Attributes[message.AttrErrorCode]), Message: "re-driven from the DLQ by the sweep",
				Redrive: n, At: s.now().UTC(), RequestedAt: msg.RequestedAt})
		}
	}
	if len(attempts) > 0 && s.Ledger != nil {
		if err := s.Ledger.RecordAttempts(context.WithoutCancel(ctx), attempts); err != nil {
			s.Log.Error("sweep: recording re-drives in the ledger failed", "count", len(attempts), "error", err)
		}
	}
	return keep
}
