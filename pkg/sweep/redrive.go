package sweep

import (
	"context"
	"strconv"
	"time"

	"github.com/revoke-dev/revoke/pkg/consumer"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/retry"
)

// AttrRedriveCount counts how often the sweep re-drove a message.
const AttrRedriveCount = "redrive_count"

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

// redrive moves transient DLQ failures back to the queue by
// receive–send–delete; a DLQ message is deleted only after its copy is on
// the queue. Messages kept are made visible again when the run ends
// (ctx, not work, so that happens even when work's deadline passed).
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
	empty := 0
	for res.Examined < maxMessages && empty < 2 {
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
		var move []queue.Received
		for _, m := range msgs {
			if seen[m.ID] {
				keep = append(keep, m.ReceiptHandle)
				continue
			}
			seen[m.ID] = true
			res.Examined++
			switch why := s.decide(m, minAge, maxRedrives); why {
			case "":
				if dryRun {
					res.Redriven++
					keep = append(keep, m.ReceiptHandle)
				} else {
					move = append(move, m)
				}
			default:
				res.Kept++
				switch why {
				case "permanent":
					res.KeptPermanent++
				case "young":
					res.KeptTooYoung++
				case "max":
					res.KeptMaxRedrives++
				}
				keep = append(keep, m.ReceiptHandle)
			}
		}
		if len(move) > 0 {
			keep = append(keep, s.move(work, move, res)...)
		}
	}
	return res
}

// decide returns "" to re-drive, or why the message stays.
func (s *Sweeper) decide(m queue.Received, minAge time.Duration, maxRedrives int) string {
	if code := m.Attributes[consumer.AttrErrorCode]; code != "" && code != provider.CodeExhausted && !s.RedriveAll {
		return "permanent"
	}
	if n, _ := strconv.Atoi(m.Attributes[AttrRedriveCount]); n >= maxRedrives {
		return "max"
	}
	if ms, err := strconv.ParseInt(m.System[queue.AttrSentTimestamp], 10, 64); err == nil && s.now().Sub(time.UnixMilli(ms)) < minAge {
		return "young"
	}
	return ""
}

// move sends messages to the queue and deletes the DLQ copies that made it;
// it returns the receipt handles of those to keep.
func (s *Sweeper) move(ctx context.Context, msgs []queue.Received, res *RedriveResult) (keep []string) {
	out := make([]queue.Outgoing, len(msgs))
	for i, m := range msgs {
		attrs := map[string]string{}
		for k, v := range m.Attributes {
			switch k {
			case consumer.AttrErrorCode, consumer.AttrErrorMessage, consumer.AttrHTTPStatus:
			default:
				attrs[k] = v
			}
		}
		n, _ := strconv.Atoi(m.Attributes[AttrRedriveCount])
		attrs[AttrRedriveCount] = strconv.Itoa(n + 1)
		out[i] = queue.Outgoing{Body: m.Body, Attributes: attrs}
	}
	unsent, err := queue.SendAll(ctx, s.Queue, s.Config.QueueURL, out, retry.Policy{Attempts: 3, Base: 100 * time.Millisecond, Max: time.Second})
	failed := map[int]bool{}
	for _, i := range unsent {
		failed[i] = true
	}
	if err != nil {
		s.Log.Error("sweep: re-drive send failed; those messages stay in the DLQ", "count", len(unsent), "error", err)
	}
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
	}
	return keep
}
