package scimapi_test

import (
	"fmt"
	"testing"

	"github.com/revoke-dev/revoke/internal/awstest"
	"github.com/revoke-dev/revoke/pkg/queue"
)

// The IdPs' documented sequences through the handler against moto's
// DynamoDB (the users and the ledger) and SQS (the revocations).
func TestIntegrationIdPReplays(t *testing.T) {
	e := awstest.New(t)
	for name, run := range map[string]func(*fixture){
		"entra":           func(f *fixture) { entraSequence(t, f) },
		"okta restore":    func(f *fixture) { oktaSequence(t, f, true) },
		"okta no restore": func(f *fixture) { oktaSequence(t, f, false) },
	} {
		t.Run(name, func(t *testing.T) {
			url := e.Queue(t, "scim", nil)
			_, store := e.Ledger(t)
			vars := map[string]string{"QUEUE_URL": url, "SCIM_RESTORE": fmt.Sprint(name == "okta restore")}
			f := newFixtureOn(t, vars, store, &queue.SQS{API: e.SQS})
			run(f)
			if got := len(e.Drain(t, url)); got != len(f.q.Sent()) {
				t.Fatalf("SQS holds %d messages, the front door sent %d", got, len(f.q.Sent()))
			}
		})
	}
}
