package consumer

import (
	"context"
	"errors"
	"fmt"

	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
	"github.com/revoke-dev/revoke/pkg/request"
	"github.com/revoke-dev/revoke/pkg/submit"
)

// MetricDrift is the EMF metric counting accounts seen active again (the
// template alarms on it).
const MetricDrift = "drift"

// checks reads back the accounts of a connection's drift checks in one
// Verify call. An account the provider shows active again, whose latest
// change through revoke is still a revoke, is drift (drift).
func (c *Consumer) checks(ctx context.Context, cn config.Connection, client provider.Client, s rest.Settings, items []*item) {
	if len(items) == 0 {
		return
	}
	v, ok := client.(provider.Verifier)
	if !ok {
		for _, it := range items {
			it.res = permanent(message.CodeUnsupported, "this provider cannot show an account's state: drift cannot be checked", 0)
		}
		return
	}
	ids := make([]string, 0, len(items))
	at := map[string]int{}
	for _, it := range items {
		if _, ok := at[it.msg.UserID]; !ok {
			at[it.msg.UserID] = len(ids)
			ids = append(ids, it.msg.UserID)
		}
	}
	states := v.Verify(ctx, ids)
	for _, it := range items {
		st := states[at[it.msg.UserID]]
		switch {
		case st.Err != nil:
			it.res = failure(st.Err, 0)
		case !st.Known:
			it.res = permanent(message.CodeProvider, "the read does not show the account's state", 0)
		case st.Matches(message.Revoke):
			it.res = result{outcome: readSettled} // still revoked
		default:
			it.res = c.drift(ctx, cn, s, it.msg, st)
		}
	}
}

// drift handles an account seen active again: unless a restore through
// revoke came after its revocation, it is recorded (ledger: the drift
// record and the outcome drift on the revocation's target), logged at
// ERROR and counted in the metric "drift" (DriftAlarm's) — once a sweep
// run, however many checks of the account the run's messages make; under
// on_drift: revoke it is revoked again by a new request with source drift
// (keyed by the sweep run and the account, so a redelivery makes no
// second request). A dry-run check records nothing and fires no alarm: a
// WARN line says what would happen. Under DRY_RUN=true the drift is real
// and recorded, but on_drift: revoke reads would_revoke and nothing is
// revoked.
func (c *Consumer) drift(ctx context.Context, cn config.Connection, s rest.Settings, m *message.Message, st provider.State) result {
	mark, err := c.Ledger.Revoked(ctx, cn.Name, m.UserID)
	if err != nil {
		return result{outcome: message.Retrying, code: message.CodeUnavailable, errMsg: "reading the account's revocation failed (retried)"}
	}
	if mark == nil {
		c.Log.Info("drift check: account active, but restored through revoke after its revocation: not drift", "connection", cn.Name, "user_id", m.UserID)
		return result{outcome: readSettled}
	}
	now := c.now().UTC()
	email, _ := shownEmail(st.Shown)
	d := ledger.Drift{Connection: cn.Name, Provider: cn.Provider, UserID: m.UserID, Email: email, RequestID: mark.RequestID, Key: mark.Key,
		RevokedAt: mark.At, SeenAt: now, Read: "the provider shows the account enabled (not disabled, not deleted)", OnDrift: rest.OnDriftAlert,
		RunID: m.RequestID}
	dry := m.DryRun || (c.Config != nil && c.Config.DryRun)
	switch {
	case s.RevokesDrift() && dry:
		d.OnDrift = string(message.WouldRevoke)
	case s.RevokesDrift():
		d.OnDrift = rest.OnDriftRevoke
		id, err := c.revokeDrift(ctx, cn, m, mark)
		if err != nil {
			c.Log.Error("drift: revoking again failed; retried", "connection", cn.Name, "user_id", m.UserID, "error", err)
			return result{outcome: message.Retrying, code: message.CodeUnavailable, errMsg: "the drift re-revocation could not be made (retried)"}
		}
		d.NewRequestID = id
	}
	attrs := []any{"connection", cn.Name, "provider", cn.Provider, "user_id", m.UserID, "email", d.Email, "revoked_by", mark.RequestID,
		"revoked_at", mark.At, "seen_at", now, "on_drift", d.OnDrift, "new_request_id", d.NewRequestID, "run_id", m.RequestID, "dry_run", dry}
	if m.DryRun {
		c.Log.Warn("drift (dry run): an account revoke revoked is active again; a real run would record it and alert", attrs...)
		return result{outcome: readSettled}
	}
	err = c.Ledger.RecordDrift(ctx, d)
	switch {
	case errors.Is(err, ledger.ErrDriftRecorded):
		c.Log.Info("drift: already recorded and alerted in this sweep run", "connection", cn.Name, "user_id", m.UserID, "run_id", m.RequestID)
		return result{outcome: readSettled}
	case err != nil:
		return result{outcome: message.Retrying, code: message.CodeUnavailable, errMsg: "recording drift failed (retried)"}
	}
	c.Log.Error("drift: an account revoke revoked is active again", attrs...)
	audit.Emit(c.Metrics, now, MetricDrift, map[string]string{"connection": cn.Name}, 1)
	return result{outcome: readSettled}
}

// revokeDrift makes the re-revocation through the one request path.
func (c *Consumer) revokeDrift(ctx context.Context, cn config.Connection, m *message.Message, mark *ledger.Mark) (string, error) {
	if c.Submit == nil {
		return "", fmt.Errorf("consumer: no request path for on_drift: revoke")
	}
	req := &request.Request{Action: message.Revoke, Targets: []message.Target{{Connection: cn.Name, UserID: m.UserID}},
		Reason: "drift: account seen active again after request " + mark.RequestID + " revoked it"}
	rcpt, err := c.Submit.Submit(ctx, submit.Submission{Request: req, Source: message.SourceDrift, Actor: string(message.SourceSweep),
		Key: "drift:" + m.RequestID + ":" + cn.Name + ":" + m.UserID})
	if err != nil {
		return "", fmt.Errorf("consumer: drift re-revocation: %w", err)
	}
	return rcpt.RequestID, nil
}
