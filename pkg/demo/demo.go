// Package demo is `make demo`: a realistic offboarding through the whole
// pipeline in one process (pkg/embedded) — a leaver revoked everywhere by
// email, a JourneyApps team batch, an Okta deactivation, one target that
// fails permanently, and one provider that rate-limits — with progress
// while it runs, a table at the end, and an error if anything is lost.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/embedded"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/simulator"
)

// Options for a demo run.
type Options struct {
	TeamSize int           // JourneyApps users in the team batch (default 250)
	Timeout  time.Duration // give up after (default 50 s)
	Log      io.Writer     // the functions' JSON logs (default: discarded)
}

// Row is one connection's line of the final table.
type Row struct {
	Connection, Provider                   string
	Revoked, Already, NoAccount, DLQ, Lost int
}

// Report is the demo's result.
type Report struct {
	Rows        []Row
	Accepted    int
	Took        time.Duration
	RateLimited int // 429 / code 999 answers the rate-limiting provider gave
	Problems    []string
}

// Run runs the demo, printing progress and the table to out.
func Run(ctx context.Context, out io.Writer, o Options) (*Report, error) {
	if o.TeamSize == 0 {
		o.TeamSize = 250
	}
	if o.Timeout == 0 {
		o.Timeout = 50 * time.Second
	}
	p, err := embedded.Start(embedded.Options{
		Sims: map[string]simulator.Options{
			config.JourneyApps: {Latency: 30 * time.Millisecond},
			config.Backendless: {Latency: 10 * time.Millisecond, RatePerSecond: 10, Burst: 2},
			config.Mendix:      {Latency: 20 * time.Millisecond},
			config.SCIM:        {Latency: 10 * time.Millisecond},
		},
		// The Backendless secret claims more than the app allows, so the demo
		// shows revoke slowing down on code 999 instead of losing anything.
		Rates:  map[string]float64{config.Backendless: 40},
		Window: 200 * time.Millisecond,
		Log:    o.Log,
	})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	p.BL.RateLimit200 = true // Backendless sometimes reports 999 with HTTP 200

	want := populate(p, o.TeamSize)
	fmt.Fprintln(out, "revoke demo: API → embedded queue → consumer → JourneyApps, Backendless, Mendix and SCIM simulators")
	start := time.Now()
	rctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	wg := p.Run(rctx)

	rep := &Report{}
	for _, step := range submissions(o.TeamSize) {
		r := p.Call(rctx, step.method, step.path, step.body)
		fmt.Fprintf(out, "  %-50s → %d, %d targets accepted\n", step.what, r.Status, r.Accepted)
		if r.Status != 200 && r.Status != 202 {
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s answered %d: %s", step.what, r.Status, r.Body))
		}
		rep.Accepted += r.Accepted
	}
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for done := false; !done; {
		select {
		case <-rctx.Done():
			rep.Problems = append(rep.Problems, "timed out with targets still pending")
			done = true
		case <-tick.C:
			final := 0
			for _, r := range p.Outcomes() {
				if r.Outcome != audit.OutcomeRetry {
					final++
				}
			}
			dlqV, _ := p.Queue.Stats(p.DLQURL)
			fmt.Fprintf(out, "  %5.1fs  settled %d/%d  in DLQ %d  queued %d  999s so far %d\n",
				time.Since(start).Seconds(), final, rep.Accepted, dlqV, p.Pending(), p.BL.Stats().RateLimited)
			done = p.Pending() == 0 && final >= rep.Accepted
		}
	}
	cancel()
	wg.Wait()
	rep.Took = time.Since(start)
	rep.RateLimited = p.BL.Stats().RateLimited
	tally(p, rep, want)
	printReport(out, rep)
	if len(rep.Problems) > 0 {
		return rep, errors.New("demo: the pipeline misbehaved: " + strings.Join(rep.Problems, "; "))
	}
	return rep, nil
}

type step struct{ what, method, path, body string }

func submissions(team int) []step {
	var ts []string
	for i := range team {
		ts = append(ts, fmt.Sprintf(`{"connection":"field-app","user_id":"ja-team-%03d","wipe":false}`, i))
	}
	ts = append(ts, `{"connection":"field-app","user_id":"ja-departed-404"}`)
	var bl []string
	for i := range 40 {
		bl = append(bl, fmt.Sprintf(`{"connection":"crm","user_id":"BL-%03d"}`, i))
	}
	var mx []string
	for i := range 20 {
		mx = append(mx, fmt.Sprintf(`{"connection":"mendix","email":"dev%02d@example.com"}`, i))
	}
	return []step{
		{"leaver dana@example.com on every connection", "POST", "/revocations",
			`{"reason":"leaver HR-4211","targets":[{"connection":"*","email":"dana@example.com"}]}`},
		{fmt.Sprintf("JourneyApps team of %d (+1 unknown id)", team), "POST", "/revocations",
			`{"reason":"field team offboarding HR-4212","targets":[` + strings.Join(ts, ",") + `]}`},
		{"Backendless: 40 contractors", "POST", "/revocations", `{"reason":"contract ended","targets":[` + strings.Join(bl, ",") + `]}`},
		{"Mendix: 20 developers by email", "POST", "/revocations", `{"reason":"project closed","targets":[` + strings.Join(mx, ",") + `]}`},
		{"Okta: user.lifecycle.deactivate erin@example.com", "POST", "/hooks/okta",
			`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"0f6c","eventType":"user.lifecycle.deactivate","target":[{"id":"00uE","type":"User","alternateId":"erin@example.com","displayName":"Erin"}]}]}}`},
	}
}

// expectation: users that must end revoked, per connection.
type expectation map[string][]string

func populate(p *embedded.Pipeline, team int) expectation {
	want := expectation{}
	add := func(conn string, sim interface{ Add(...simulator.User) }, u simulator.User) {
		sim.Add(u)
		want[conn] = append(want[conn], u.ID)
	}
	add("field-app", p.JA, simulator.User{ID: "ja-dana", Email: "dana@example.com"})
	add("crm", p.BL, simulator.User{ID: "BL-DANA", Email: "dana@example.com"})
	add("mendix", p.MX, simulator.User{ID: "6f1e7f5e-dana", Email: "dana@example.com"})
	add("wiki", p.SC, simulator.User{ID: "sc-dana", Email: "dana@example.com"})
	add("wiki", p.SC, simulator.User{ID: "sc-erin", Email: "erin@example.com"})
	for i := range team {
		add("field-app", p.JA, simulator.User{ID: fmt.Sprintf("ja-team-%03d", i)})
	}
	for i := range 40 {
		add("crm", p.BL, simulator.User{ID: fmt.Sprintf("BL-%03d", i)})
	}
	for i := range 20 {
		add("mendix", p.MX, simulator.User{ID: fmt.Sprintf("6f1e7f5e-%04d", i), Email: fmt.Sprintf("dev%02d@example.com", i)})
	}
	p.SC.Add(simulator.User{ID: "sc-bystander", Email: "someone@example.com"})
	return want
}

func tally(p *embedded.Pipeline, rep *Report, want expectation) {
	rows := map[string]*Row{}
	for _, c := range p.Config.Connections {
		rows[c.Name] = &Row{Connection: c.Name, Provider: c.Provider}
	}
	for _, r := range p.Outcomes() {
		row, ok := rows[r.Connection]
		if !ok {
			continue
		}
		switch r.Outcome {
		case audit.OutcomeDone:
			row.Revoked++
		case audit.OutcomeAlready:
			row.Already++
		case audit.OutcomeNoAccount:
			row.NoAccount++
		case audit.OutcomeDLQ:
			row.DLQ++
		default:
			row.Lost++
		}
	}
	for conn, ids := range want {
		for _, id := range ids {
			if u, _ := p.Sim(conn).User(id); !u.Disabled {
				rep.Problems = append(rep.Problems, fmt.Sprintf("%s:%s still has access", conn, id))
			}
		}
	}
	if u, _ := p.SC.User("sc-bystander"); u.Disabled {
		rep.Problems = append(rep.Problems, "a bystander lost access")
	}
	dlq := p.Queue.Peek(p.DLQURL)
	if len(dlq) != 1 {
		rep.Problems = append(rep.Problems, fmt.Sprintf("the DLQ holds %d messages, want 1 (ja-departed-404)", len(dlq)))
	} else if m, err := message.Decode(dlq[0].Body); err != nil || m.UserID != "ja-departed-404" || dlq[0].Attributes["error_code"] != "not_found" {
		rep.Problems = append(rep.Problems, fmt.Sprintf("unexpected DLQ message %s %v", dlq[0].Body, dlq[0].Attributes))
	}
	total := 0
	for _, row := range rows {
		rep.Rows = append(rep.Rows, *row)
		total += row.Revoked + row.Already + row.NoAccount + row.DLQ
		if row.Lost > 0 {
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %d targets unsettled", row.Connection, row.Lost))
		}
	}
	if total != rep.Accepted {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%d targets accepted but %d settled", rep.Accepted, total))
	}
	sort.Slice(rep.Rows, func(i, j int) bool { return rep.Rows[i].Connection < rep.Rows[j].Connection })
}

func printReport(out io.Writer, rep *Report) {
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "connection\tprovider\trevoked\talready\tno account\tin DLQ\t")
	var t Row
	for _, r := range rep.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t\n", r.Connection, r.Provider, r.Revoked, r.Already, r.NoAccount, r.DLQ)
		t.Revoked += r.Revoked
		t.Already += r.Already
		t.NoAccount += r.NoAccount
		t.DLQ += r.DLQ
	}
	fmt.Fprintf(tw, "total\t\t%d\t%d\t%d\t%d\t\n", t.Revoked, t.Already, t.NoAccount, t.DLQ)
	tw.Flush()
	fmt.Fprintf(out, "\n%d targets accepted, all settled in %.1fs; Backendless rate-limited %d calls (code 999), none lost.\n",
		rep.Accepted, rep.Took.Seconds(), rep.RateLimited)
	if len(rep.Problems) > 0 {
		fmt.Fprintln(out, "\nPROBLEMS:")
		for _, p := range rep.Problems {
			fmt.Fprintln(out, "  - "+p)
		}
	} else {
		fmt.Fprintln(out, "The DLQ holds the one target that cannot succeed (ja-departed-404: not_found), with its reason.")
	}
}
