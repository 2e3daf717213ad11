// Package demo is `make demo`: a realistic offboarding through the whole
// pipeline in one process (internal/embedded) — a leaver revoked everywhere
// by email, a JourneyApps team batch, an Okta deactivation, an Entra ID
// deactivation arriving through the SCIM front door, an IAM Identity
// Center deactivation arriving through EventBridge, one target that fails
// permanently, and one provider that rate-limits — with progress while it
// runs, a table at the end, one request's status and a person's evidence
// from the ledger, then one drift found and one orphan revoked, and an
// error if anything is lost.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/internal/embedded"
	"github.com/revoke-dev/revoke/internal/inmem"
	"github.com/revoke-dev/revoke/internal/simulator"
	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/message"
)

// Options for a demo run.
type Options struct {
	TeamSize int           // JourneyApps users in the team batch (default 250)
	Timeout  time.Duration // give up after (default 90 s)
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
	RequestID   string // the leaver's request, shown at the end
}

// Run runs the demo, printing progress and the table to out.
func Run(ctx context.Context, out io.Writer, o Options) (*Report, error) {
	if o.TeamSize == 0 {
		o.TeamSize = 250
	}
	if o.Timeout == 0 {
		o.Timeout = 90 * time.Second
	}
	dir := &inmem.Directory{}
	p, err := embedded.Start(embedded.Options{
		Sims: map[string]simulator.Options{
			"journeyapps": {Latency: 30 * time.Millisecond},
			"backendless": {Latency: 10 * time.Millisecond, RatePerSecond: 20, Burst: 4},
			"mendix":      {Latency: 20 * time.Millisecond},
			"scim":        {Latency: 10 * time.Millisecond},
		},
		// The Backendless secret claims more than the app allows, so the demo
		// shows revoke slowing down on code 999 instead of losing anything.
		Rates:     map[string]float64{"backendless": 40},
		Window:    200 * time.Millisecond,
		Directory: dir,
		Log:       o.Log,
	})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	p.BL.RateLimit200 = true // Backendless sometimes reports 999 with HTTP 200

	want := populate(p, dir, o.TeamSize)
	fmt.Fprintln(out, "revoke demo: API, SCIM front door and EventBridge trigger → embedded queue → consumer → JourneyApps, Backendless, Mendix and SCIM simulators")
	start := time.Now()
	rctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	wg := p.Run(rctx)

	rep := &Report{}
	for _, s := range steps(p, o.TeamSize) {
		accepted, id, err := s.run(rctx)
		fmt.Fprintf(out, "  %-58s → %d targets accepted\n", s.what, accepted)
		if err != nil {
			rep.Problems = append(rep.Problems, s.what+": "+err.Error())
		}
		if s.show {
			rep.RequestID = id
		}
		rep.Accepted += accepted
	}
	wait(rctx, out, p, rep, start)
	cancel()
	wg.Wait()
	rep.Took = time.Since(start)
	rep.RateLimited = p.BL.Stats().RateLimited
	tally(p, rep, want)
	printReport(out, rep)
	showLedger(out, p, rep)
	actx, acancel := context.WithTimeout(ctx, o.Timeout)
	driftAndOrphans(actx, out, p, dir, rep)
	acancel()
	if len(rep.Problems) > 0 {
		return rep, errors.New("demo: the pipeline misbehaved: " + strings.Join(rep.Problems, "; "))
	}
	return rep, nil
}

// wait prints progress until every accepted target settled.
func wait(ctx context.Context, out io.Writer, p *embedded.Pipeline, rep *Report, start time.Time) {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			rep.Problems = append(rep.Problems, "timed out with targets still pending")
			return
		case <-tick.C:
			final := 0
			for _, r := range p.Outcomes() {
				if r.Outcome.Final() {
					final++
				}
			}
			dlqV, _ := p.Queue.Stats(p.DLQURL)
			fmt.Fprintf(out, "  %5.1fs  settled %d/%d  in DLQ %d  queued %d  999s so far %d\n",
				time.Since(start).Seconds(), final, rep.Accepted, dlqV, p.Pending(), p.BL.Stats().RateLimited)
			if p.Pending() == 0 && final >= rep.Accepted {
				return
			}
		}
	}
}

// step is one thing the demo asks of revoke.
type step struct {
	what string
	show bool // the request the demo shows at the end
	run  func(ctx context.Context) (accepted int, requestID string, err error)
}

func apiStep(p *embedded.Pipeline, what, method, path, body string, ok int) step {
	return step{what: what, run: func(ctx context.Context) (int, string, error) {
		r := p.Call(ctx, method, path, body)
		if r.Status != ok {
			return 0, "", fmt.Errorf("answered %d: %s", r.Status, r.Body)
		}
		var okta struct {
			Accepted int `json:"accepted"`
		}
		_ = json.Unmarshal([]byte(r.Body), &okta)
		return max(r.Accepted, okta.Accepted), r.RequestID, nil
	}}
}

func steps(p *embedded.Pipeline, team int) []step {
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
	leaver := apiStep(p, "leaver dana@example.com on every connection", "POST", "/revocations",
		`{"reason":"leaver HR-4211","targets":[{"connection":"*","email":"dana@example.com"}]}`, 202)
	leaver.show = true
	return []step{
		leaver,
		apiStep(p, fmt.Sprintf("JourneyApps team of %d (+1 unknown id)", team), "POST", "/revocations",
			`{"reason":"field team offboarding HR-4212","targets":[`+strings.Join(ts, ",")+`]}`, 202),
		apiStep(p, "Backendless: 40 contractors", "POST", "/revocations", `{"reason":"contract ended","targets":[`+strings.Join(bl, ",")+`]}`, 202),
		apiStep(p, "Mendix: 20 developers by email", "POST", "/revocations", `{"reason":"project closed","targets":[`+strings.Join(mx, ",")+`]}`, 202),
		apiStep(p, "Okta hook: user.lifecycle.deactivate erin@example.com", "POST", "/hooks/okta",
			`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"0f6c","eventType":"user.lifecycle.deactivate","outcome":{"result":"SUCCESS"},"target":[{"id":"00uE","type":"User","alternateId":"erin@example.com","displayName":"Erin"}]}]}}`, 200),
		scimStep(p),
		triggerStep(p),
	}
}

// scimStep: Entra ID provisions Gus, then soft-deletes him ("False").
func scimStep(p *embedded.Pipeline) step {
	return step{what: "Entra ID via SCIM: PATCH active \"False\" for gus@example.com", run: func(ctx context.Context) (int, string, error) {
		r := p.Call(ctx, "POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"gus@example.com","externalId":"e-gus","active":true,"emails":[{"value":"gus@example.com","type":"work","primary":true}]}`)
		var u struct{ ID string }
		if r.Status != 201 || json.Unmarshal([]byte(r.Body), &u) != nil {
			return 0, "", fmt.Errorf("create answered %d: %s", r.Status, r.Body)
		}
		r = p.Call(ctx, "PATCH", "/scim/v2/Users/"+u.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
		if r.Status != 200 {
			return 0, "", fmt.Errorf("PATCH answered %d: %s", r.Status, r.Body)
		}
		// The front door answered the IdP; the request it made is in the ledger.
		h, _, err := p.Ledger.History(ctx, "gus@example.com", "", 1)
		if err != nil || len(h) != 1 || h[0].Request.Source != message.SourceSCIM {
			return 0, "", fmt.Errorf("no SCIM request in the ledger: %v", err)
		}
		return h[0].Request.Targets, h[0].Request.ID, nil
	}}
}

// triggerStep: IAM Identity Center disables Hana; CloudTrail delivers it
// through EventBridge.
func triggerStep(p *embedded.Pipeline) step {
	return step{what: "IAM Identity Center via EventBridge: DisableUser (hana)", run: func(ctx context.Context) (int, string, error) {
		detail := `{"eventSource":"sso-directory.amazonaws.com","eventName":"DisableUser","eventID":"demo-ct-1","requestParameters":{"identityStoreId":"d-1234567890","userId":"hana-id"}}`
		res, err := p.Trigger.Handle(ctx, events.EventBridgeEvent{Source: "aws.sso-directory", DetailType: "AWS API Call via CloudTrail", ID: "demo-1", Time: time.Now(), Detail: json.RawMessage(detail)})
		if err != nil {
			return 0, "", err
		}
		return res.Accepted, res.RequestID, nil
	}}
}

// expectation: users that must end revoked, per connection.
type expectation map[string][]string

func populate(p *embedded.Pipeline, dir *inmem.Directory, team int) expectation {
	want := expectation{}
	add := func(conn string, u simulator.User) {
		p.Sim(conn).Add(u)
		want[conn] = append(want[conn], u.ID)
	}
	for _, person := range []string{"dana", "gus", "hana"} {
		add("field-app", simulator.User{ID: "ja-" + person, Email: person + "@example.com", Enrolled: true})
		add("crm", simulator.User{ID: "BL-" + strings.ToUpper(person), Email: person + "@example.com"})
		add("mendix", simulator.User{ID: "6f1e7f5e-" + person, Email: person + "@example.com"})
		add("wiki", simulator.User{ID: "sc-" + person, Email: person + "@example.com"})
	}
	add("wiki", simulator.User{ID: "sc-erin", Email: "erin@example.com"})
	for i := range team {
		add("field-app", simulator.User{ID: fmt.Sprintf("ja-team-%03d", i), Enrolled: true})
	}
	for i := range 40 {
		add("crm", simulator.User{ID: fmt.Sprintf("BL-%03d", i)})
	}
	for i := range 20 {
		add("mendix", simulator.User{ID: fmt.Sprintf("6f1e7f5e-%04d", i), Email: fmt.Sprintf("dev%02d@example.com", i)})
	}
	p.SC.Add(simulator.User{ID: "sc-bystander", Email: "someone@example.com"})
	dir.Put(embedded.Directory, directory.User{ID: "hana-id", Emails: []string{"hana@example.com"}})
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
		case message.Done:
			row.Revoked++
		case message.Already:
			row.Already++
		case message.NoAccount:
			row.NoAccount++
		case message.Failed:
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
	} else if m, err := message.Decode(dlq[0].Body); err != nil || m.UserID != "ja-departed-404" || dlq[0].Attributes[message.AttrErrorCode] != string(message.CodeNotFound) {
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

// showLedger prints the leaver's request status and dana's evidence, as
// `revokectl status` and `revokectl evidence` would.
func showLedger(out io.Writer, p *embedded.Pipeline, rep *Report) {
	ctx := context.Background()
	r := p.Call(ctx, "GET", "/revocations/"+rep.RequestID, "")
	var st struct {
		Status  string
		Actor   string
		Counts  map[string]int
		Targets []struct {
			Connection, Outcome string
			Verified            *bool
		}
	}
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &st) != nil || st.Status != "done" {
		rep.Problems = append(rep.Problems, fmt.Sprintf("the leaver's status: %d %s", r.Status, r.Body))
		return
	}
	fmt.Fprintf(out, "\nrevokectl status %s\n  status %s, requested by %s, %s\n", rep.RequestID, st.Status, st.Actor, message.CountsText(st.Counts))
	for _, t := range st.Targets {
		v := "not readable"
		if t.Verified != nil {
			v = fmt.Sprint(*t.Verified)
		}
		fmt.Fprintf(out, "    %-10s %-10s verified: %s\n", t.Connection, t.Outcome, v)
	}
	r = p.Call(ctx, "GET", "/revocations?email=dana@example.com&format=csv", "")
	fmt.Fprintf(out, "\nrevokectl evidence --email dana@example.com --format csv\n")
	for _, line := range strings.Split(strings.TrimSpace(r.Body), "\n") {
		fmt.Fprintln(out, "  "+line)
	}
}
