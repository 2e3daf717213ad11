package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/internal/embedded"
	"github.com/revoke-dev/revoke/internal/simulator"
)

// TriggerCost is the trigger scenario's result: what one identity event
// costs the handler, by source (each with its sample from events/).
type TriggerCost struct {
	Events int
	Rows   []TriggerRow
}

// TriggerRow is one source's cost.
type TriggerRow struct {
	Source    string // the events/ sample
	PerEvent  time.Duration
	AllocsPer float64
	BytesPer  float64
	Submitted int // events that became a request
}

// triggerSamples are the samples whose people resolve without a directory
// (Okta and Auth0 name the address in the event).
var triggerSamples = []string{"trigger-okta-deactivate.json", "trigger-auth0-sdu.json"}

// RunTrigger sends n distinct copies of each sample (a fresh event id
// each, so none is deduplicated) through the trigger handler on the
// embedded pipeline (ledger, submit, queue) and measures the handler.
func RunTrigger(ctx context.Context, root string, n int) (*TriggerCost, error) {
	res := &TriggerCost{Events: n}
	for _, name := range triggerSamples {
		row, err := runTriggerSample(ctx, root, name, n)
		if err != nil {
			return nil, err
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

// runTriggerSample measures one sample on a fresh pipeline (an empty
// ledger, as each source would find it).
func runTriggerSample(ctx context.Context, root, name string, n int) (TriggerRow, error) {
	row := TriggerRow{Source: name}
	p, err := embedded.Start(embedded.Options{})
	if err != nil {
		return row, err
	}
	defer p.Close()
	{
		raw, err := os.ReadFile(filepath.Join(root, "events", name))
		if err != nil {
			return row, err
		}
		var ev events.EventBridgeEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return row, fmt.Errorf("%s: %w", name, err)
		}
		for _, conn := range p.ConnectionNames() {
			p.Sim(conn).Add(simulator.User{ID: conn + "-trigger", Email: "leaver@example.com"})
		}
		evs := make([]events.EventBridgeEvent, n)
		for i := range evs {
			evs[i] = ev
			evs[i].ID = fmt.Sprintf("%s-%d", ev.ID, i)
			// Each copy is a distinct event: its id in the detail changes too.
			evs[i].Detail = json.RawMessage(strings.Replace(string(ev.Detail), `"`+eventKey(ev.Detail)+`"`, fmt.Sprintf(`"%s-%d"`, eventKey(ev.Detail), i), 1))
		}
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		start := time.Now()
		for i := range evs {
			r, err := p.Trigger.Handle(ctx, evs[i])
			if err != nil {
				return row, fmt.Errorf("%s: %w", name, err)
			}
			if r != nil && r.RequestID != "" {
				row.Submitted++
			}
		}
		row.PerEvent = time.Since(start) / time.Duration(n)
		runtime.ReadMemStats(&m1)
		row.AllocsPer = float64(m1.Mallocs-m0.Mallocs) / float64(n)
		row.BytesPer = float64(m1.TotalAlloc-m0.TotalAlloc) / float64(n)
	}
	return row, nil
}

// eventKey returns the sample's own dedupe key (Okta uuid, Auth0 log_id).
func eventKey(detail json.RawMessage) string {
	var d struct {
		UUID string `json:"uuid"`
		Data struct {
			LogID string `json:"log_id"`
		} `json:"data"`
		LogID string `json:"log_id"`
	}
	_ = json.Unmarshal(detail, &d)
	for _, k := range []string{d.UUID, d.Data.LogID, d.LogID} {
		if k != "" {
			return k
		}
	}
	return "\x00"
}
