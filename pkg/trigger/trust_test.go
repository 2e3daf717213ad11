package trigger

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/directory/awsdir"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/message"
)

// cognitoPool answers ListUsers by sub with one user's attributes, as
// Cognito does (email_verified is a string).
type cognitoPool struct{ attrs map[string]string }

func (p cognitoPool) ListUsers(_ context.Context, in *cip.ListUsersInput, _ ...func(*cip.Options)) (*cip.ListUsersOutput, error) {
	var u ciptypes.UserType
	for k, v := range p.attrs {
		u.Attributes = append(u.Attributes, ciptypes.AttributeType{Name: aws.String(k), Value: aws.String(v)})
	}
	if !strings.Contains(aws.ToString(in.Filter), p.attrs["sub"]) {
		return &cip.ListUsersOutput{}, nil
	}
	return &cip.ListUsersOutput{Users: []ciptypes.UserType{u}}, nil
}

// The reproduction of issue 23.1: a Cognito user set their own unverified
// email to the CEO's; AdminDisableUser must queue nothing and record the
// person unresolved with the reason (before: ceo@corp.example was queued
// on every connection).
func TestCognitoUnverifiedEmailQueuesNothing(t *testing.T) {
	w := newWorld(t)
	w.h.Directory = &awsdir.AWS{Cognito: cognitoPool{attrs: map[string]string{
		"sub": "8b3e7f2a-6c1d-4e5f-9a0b-7c8d9e0f1a2b", "email": "ceo@corp.example", "email_verified": "false"}}}
	res, err := w.h.Handle(context.Background(), sample(t, "trigger-cognito-admindisableuser.json"))
	if err != nil || res.Outcome != "unresolved" || len(w.q.Sent()) != 0 {
		t.Fatalf("%+v %v, %d queued", res, err, len(w.q.Sent()))
	}
	un, _, _ := w.ledger.ListUnresolved(context.Background(), "", 10)
	if len(un) != 1 || !strings.Contains(un[0].Reason, "verified") || un[0].UserID != "8b3e7f2a-6c1d-4e5f-9a0b-7c8d9e0f1a2b" {
		t.Fatalf("%+v", un)
	}
	if !strings.Contains(w.log.String(), `"level":"ERROR"`) || !strings.Contains(w.log.String(), `"unresolved":1`) {
		t.Fatalf("no ERROR line or metric: %s", w.log.String())
	}
}

// With ALLOWED_EMAIL_DOMAINS set, an address outside it is never queued,
// whatever the source; a person left with no address is unresolved with
// the reason (before: every address was queued).
func TestAllowedEmailDomains(t *testing.T) {
	const icUser = "906722b2be-1c2a3b4c-5d6e-7f80-9a1b-2c3d4e5f6a7b"
	for _, tc := range []struct {
		name    string
		file    string
		emails  []string // the identity store user's addresses
		snap    []string // the snapshot's, for a deleted user
		queued  string   // connection:email queued, sorted by the handler's order
		outcome string
	}{
		{name: "okta outside", file: "trigger-okta-deactivate.json", outcome: "unresolved"},
		{name: "auth0 outside", file: "trigger-auth0-sdu.json", outcome: "unresolved"},
		{name: "identity center: only the company address", file: "trigger-identitycenter-disableuser.json",
			emails: []string{"frank@gmail.com", "frank@corp.example"}, queued: "crm:frank@corp.example wiki:frank@corp.example", outcome: "requested"},
		{name: "identity center: no company address", file: "trigger-identitycenter-disableuser.json", emails: []string{"frank@gmail.com"}, outcome: "unresolved"},
		{name: "snapshot outside", file: "trigger-identitycenter-deleteuser.json", snap: []string{"gina@gmail.com"}, outcome: "unresolved"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.h.Submit.Config.AllowedEmailDomains, _ = message.ParseDomains("corp.example")
			if tc.emails != nil {
				w.dir.users[icUser] = directory.User{ID: icUser, Emails: tc.emails}
			}
			if tc.snap != nil {
				w.seedSnapshot(t, "906722b2be-deleted0-5d6e-7f80-9a1b-2c3d4e5f6a7c", tc.snap)
			}
			res, err := w.h.Handle(context.Background(), sample(t, tc.file))
			if err != nil || res.Outcome != tc.outcome {
				t.Fatalf("%+v %v", res, err)
			}
			var got []string
			for _, s := range w.q.Sent() {
				m, _ := message.Decode(s.Body)
				got = append(got, m.Connection+":"+m.Email)
			}
			if strings.Join(got, " ") != tc.queued {
				t.Fatalf("queued %v, want %q", got, tc.queued)
			}
			if tc.outcome == "unresolved" {
				un, _, _ := w.ledger.ListUnresolved(context.Background(), "", 10)
				if len(un) != 1 || !strings.Contains(un[0].Reason, "ALLOWED_EMAIL_DOMAINS") {
					t.Fatalf("%+v", un)
				}
			}
		})
	}
}

// Auth0's sdu log has no email_verified field: user_name is used only
// when the log says it is verified, or for an enterprise connection
// (before: every user_name was revoked, a self-registered database user's
// unverified address included).
func TestAuth0Verification(t *testing.T) {
	for _, tc := range []struct {
		name     string
		log      string
		resolved bool
	}{
		{"enterprise connection", `"strategy":"waad","strategy_type":"enterprise"`, true},
		{"database, no flag", `"strategy":"auth0","strategy_type":"database"`, false},
		{"social, no flag", `"strategy":"google-oauth2","strategy_type":"social"`, false},
		{"database, verified on the log", `"strategy_type":"database","email_verified":true`, true},
		{"database, verified in details", `"strategy_type":"database","details":{"email_verified":true}`, true},
		{"database, verified false", `"strategy_type":"database","email_verified":false`, false},
		{"verified as a string", `"strategy_type":"database","email_verified":"true"`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := sample(t, "trigger-auth0-sdu.json")
			ev.Detail = []byte(`{"log_id":"L1","type":"sdu","user_name":"ceo@corp.example","user_id":"auth0|e",` + tc.log + `}`)
			e, err := Parse(ev, opts)
			if err != nil {
				t.Fatal(err)
			}
			p := e.People[0]
			if got := len(p.Emails) == 1 && p.Why == ""; got != tc.resolved || (!tc.resolved && !strings.Contains(p.Why, "verified")) {
				t.Fatalf("%+v", e)
			}
		})
	}
}

// The account a CloudTrail event must carry is learned from the invoked
// function's ARN when not configured; another account's event is ignored.
func TestAccountFromLambdaContext(t *testing.T) {
	w := newWorld(t)
	w.dir.users["906722b2be-1c2a3b4c-5d6e-7f80-9a1b-2c3d4e5f6a7b"] = directory.User{Emails: []string{"frank@example.com"}}
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{InvokedFunctionArn: "arn:aws:lambda:us-east-1:111122223333:function:revoke-trigger"})
	if got := w.h.account(ctx); got != "111122223333" {
		t.Fatalf("account %q", got)
	}
	ev := sample(t, "trigger-identitycenter-disableuser.json") // account 123456789012
	if res, err := w.h.Handle(ctx, ev); err != nil || res.Outcome != "ignored" || len(w.q.Sent()) != 0 {
		t.Fatalf("another account's event: %+v %v", res, err)
	}
	ev.AccountID = "111122223333"
	if res, err := w.h.Handle(ctx, ev); err != nil || res.Outcome != "requested" {
		t.Fatalf("this account's event: %+v %v", res, err)
	}
}

// An Okta event revokes on OKTA_CONNECTIONS whether the stream or the hook
// delivers it first: both paths share one key, so they must share one
// rule (before: the stream used TRIGGER_CONNECTIONS, the hook
// OKTA_CONNECTIONS, and whichever arrived first decided).
func TestOktaStreamUsesOktaConnections(t *testing.T) {
	w := newWorld(t) // TRIGGER_CONNECTIONS crm,wiki
	w.h.Submit.Config.OktaConnections = []string{"crm"}
	res, err := w.h.Handle(context.Background(), sample(t, "trigger-okta-deactivate.json"))
	if err != nil || res.Outcome != "requested" || len(w.q.Sent()) != 1 {
		t.Fatalf("%+v %v, %d queued", res, err, len(w.q.Sent()))
	}
	m, _ := message.Decode(w.q.Sent()[0].Body)
	if m.Connection != "crm" || !strings.Contains(m.Reason, "00u1carol") {
		t.Fatalf("%+v", m)
	}
}

func (w *world) seedSnapshot(t *testing.T, userID string, emails []string) {
	t.Helper()
	if err := w.ledger.PutDirectoryUsers(context.Background(), []ledger.DirectoryUser{{Directory: "identitystore:d-9067642ac7", UserID: userID, Emails: emails}}); err != nil {
		t.Fatal(err)
	}
}
