package api

import (
	"context"
	"strings"
	"testing"

	"github.com/revoke-dev/revoke/pkg/message"
)

const oktaDelivery = `{"eventType":"com.okta.event_hook","eventTypeVersion":"1.0","cloudEventsVersion":"0.1","source":"https://example.okta.com/api/v1/eventHooks/who8","eventId":"abc","eventTime":"2026-11-23T10:00:00.000Z","contentType":"application/json",
"data":{"events":[
 {"uuid":"e1","published":"2026-11-23T10:00:00.000Z","eventType":"user.lifecycle.deactivate","version":"0","severity":"INFO","displayMessage":"Deactivate Okta user","actor":{"id":"00u1","type":"User","alternateId":"admin@example.com"},"outcome":{"result":"SUCCESS"},"target":[{"id":"00uA","type":"User","alternateId":"carol@example.com","displayName":"Carol"}]},
 {"uuid":"e2","eventType":"user.lifecycle.suspend","outcome":{"result":"SUCCESS"},"target":[{"id":"00uB","type":"User","alternateId":"dave@example.com","displayName":"Dave"},{"id":"0oa1","type":"AppInstance","alternateId":"Salesforce"}]},
 {"uuid":"e3","eventType":"user.session.start","outcome":{"result":"SUCCESS"},"target":[{"id":"00uC","type":"User","alternateId":"erin@example.com"}]},
 {"uuid":"e4","eventType":"user.lifecycle.deactivate","outcome":{"result":"FAILURE"},"target":[{"id":"00uD","type":"User","alternateId":"frank@example.com"}]}
]}}`

// Each configured, successful event is one request keyed by its uuid: a
// redelivery is a no-op; a failed event changes nothing; the okta token
// (scope okta) is enough.
func TestOktaEvents(t *testing.T) {
	e := newEnv(t, map[string]string{"OKTA_CONNECTIONS": "crm,wiki"})
	r := httpReq("POST", "/hooks/okta", oktaDelivery, map[string]string{"authorization": "Bearer " + oktaToken})
	resp, body := e.do(t, r)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	if body["accepted"] != float64(4) || body["ignored"] != float64(2) || len(body["request_ids"].([]any)) != 2 {
		t.Errorf("body %v", body)
	}
	var got []string
	for _, m := range messages(t, e.q) {
		if m.Action != message.Revoke || !m.Fanout || m.Source != message.SourceOkta || m.Actor != "token:okta-prod" || !strings.HasPrefix(m.Reason, "okta user.lifecycle.") {
			t.Errorf("message %+v", m)
		}
		got = append(got, m.Connection+":"+m.Email)
	}
	if strings.Join(got, " ") != "crm:carol@example.com wiki:carol@example.com crm:dave@example.com wiki:dave@example.com" &&
		strings.Join(got, " ") != "crm:dave@example.com wiki:dave@example.com crm:carol@example.com wiki:carol@example.com" {
		t.Errorf("enqueued %v", got)
	}
	// Okta delivers again (at least once): nothing more is queued.
	if resp, body := e.do(t, r); resp.StatusCode != 200 || len(e.q.Sent()) != 4 || body["accepted"] != float64(4) {
		t.Fatalf("redelivery: %d %v, %d queued", resp.StatusCode, body, len(e.q.Sent()))
	}
}

// TestOktaAllowedDomains: with ALLOWED_EMAIL_DOMAINS, a hook target
// outside them is never queued and is recorded unresolved with the reason
// (before: carol@example.com and dave@example.com were both queued).
func TestOktaAllowedDomains(t *testing.T) {
	e := newEnv(t, map[string]string{"OKTA_CONNECTIONS": "crm", "ALLOWED_EMAIL_DOMAINS": "corp.example"})
	resp, _ := e.do(t, httpReq("POST", "/hooks/okta", oktaDelivery, map[string]string{"authorization": "Bearer " + oktaToken}))
	if resp.StatusCode != 200 || len(e.q.Sent()) != 0 {
		t.Fatalf("status %d, %d queued", resp.StatusCode, len(e.q.Sent()))
	}
	un, _, err := e.ledger.ListUnresolved(context.Background(), "", 10)
	if err != nil || len(un) != 2 || !strings.Contains(un[0].Reason, "ALLOWED_EMAIL_DOMAINS") || !strings.Contains(e.log.String(), `"level":"ERROR"`) {
		t.Fatalf("%+v %v", un, err)
	}
}

// TestOktaHookRecordsUnresolved: a User target without an address is
// recorded unresolved (ledger, ERROR line), as the log stream records it
// (before: the hook only logged a WARN and forgot the person).
func TestOktaHookRecordsUnresolved(t *testing.T) {
	e := newEnv(t, nil)
	body := strings.Replace(oktaDelivery, `"alternateId":"carol@example.com"`, `"alternateId":"carol"`, 1)
	resp, out := e.do(t, httpReq("POST", "/hooks/okta", body, map[string]string{"authorization": "Bearer " + oktaToken}))
	if resp.StatusCode != 200 || out["skipped"] != float64(1) {
		t.Fatalf("%d %v", resp.StatusCode, out)
	}
	un, _, err := e.ledger.ListUnresolved(context.Background(), "", 10)
	if err != nil || len(un) != 1 || un[0].UserID != "00uA" || un[0].Key != "okta:e1" || un[0].Source != message.SourceOkta {
		t.Fatalf("%+v %v", un, err)
	}
	if !strings.Contains(e.log.String(), `"level":"ERROR"`) {
		t.Fatal("no ERROR line")
	}
}

func TestOktaEventsNeedAuth(t *testing.T) {
	e := newEnv(t, nil)
	for _, h := range []string{"", "Bearer wrong-token", "Basic " + token} {
		if resp, _ := e.do(t, httpReq("POST", "/hooks/okta", oktaDelivery, map[string]string{"authorization": h})); resp.StatusCode != 401 || e.q.Calls() != 0 {
			t.Errorf("%q: status %d, queue calls %d", h, resp.StatusCode, e.q.Calls())
		}
	}
}

func TestOktaBadBody(t *testing.T) {
	for _, b := range []string{`nope`, `{"data":{}}`, `{"data":{"events":{}}}`, `{"data":{"events":[{"target":"x"}]}}`} {
		e := newEnv(t, nil)
		if resp, _ := e.do(t, httpReq("POST", "/hooks/okta", b, nil)); resp.StatusCode != 400 || e.q.Calls() != 0 {
			t.Errorf("%s: status %d, queue calls %d", b, resp.StatusCode, e.q.Calls())
		}
	}
}
