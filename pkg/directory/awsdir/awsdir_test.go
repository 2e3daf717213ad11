package awsdir_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/revoke-dev/revoke/internal/awstest"
	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/directory/awsdir"
)

// IdentityStore creates an identity store user on moto and returns its id.
func identityStoreUser(t *testing.T, e *awstest.Env, store, userName string, emails ...string) string {
	t.Helper()
	in := &identitystore.CreateUserInput{IdentityStoreId: aws.String(store), UserName: aws.String(userName), DisplayName: aws.String(userName),
		Name: &istypes.Name{GivenName: aws.String("G"), FamilyName: aws.String("F")}}
	for _, em := range emails {
		in.Emails = append(in.Emails, istypes.Email{Value: aws.String(em), Type: aws.String("work"), Primary: true})
	}
	out, err := e.IdentityStore.CreateUser(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return *out.UserId
}

// listAll reads every page of a directory.
func listAll(t *testing.T, r *awsdir.AWS, d directory.Source) []directory.User {
	t.Helper()
	var all []directory.User
	token := ""
	for range 100 {
		page, next, err := r.ListPage(context.Background(), d, token)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		token = next
	}
	t.Fatal("more than 100 pages")
	return nil
}

func TestIdentityStore(t *testing.T) {
	e := awstest.New(t)
	store := fmt.Sprintf("d-%010d", time.Now().UnixNano()%1e10) // a store of its own on a shared moto
	id := identityStoreUser(t, e, store, "carol@example.com", "Carol.Work@example.com")
	other := identityStoreUser(t, e, store, "dave", "dave@example.com")
	r := &awsdir.AWS{IdentityStore: e.IdentityStore, Cognito: e.Cognito}
	d := directory.Source{Type: directory.IdentityStore, ID: store}
	u, err := r.Lookup(context.Background(), d, id)
	if err != nil || strings.Join(u.Emails, ",") != "Carol.Work@example.com,carol@example.com" {
		t.Fatalf("%+v %v", u, err)
	}
	if _, err := r.Lookup(context.Background(), d, "906722b2be-00000000-0000-0000-0000-000000000000"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("a deleted user: %v", err)
	}
	var listed []string
	for _, u := range listAll(t, r, d) {
		listed = append(listed, u.ID)
	}
	if len(listed) != 2 || (listed[0] != id && listed[1] != id) || (listed[0] != other && listed[1] != other) {
		t.Fatalf("listed %v", listed)
	}
}

func TestCognito(t *testing.T) {
	e := awstest.New(t)
	ctx := context.Background()
	pool, err := e.Cognito.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String(awstest.Unique("pool"))})
	if err != nil {
		t.Fatal(err)
	}
	poolID := *pool.UserPool.Id
	var subs []string
	// mallory set her own unverified email to the CEO's address.
	for _, p := range []struct{ name, email, verified string }{{"erin", "erin@example.com", "true"}, {"frank", "frank@example.com", "true"},
		{"mallory", "ceo@corp.example", "false"}} {
		out, err := e.Cognito.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String(p.name),
			UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(p.email)},
				{Name: aws.String("email_verified"), Value: aws.String(p.verified)}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.User.Attributes {
			if *a.Name == "sub" {
				subs = append(subs, *a.Value)
			}
		}
	}
	r := &awsdir.AWS{IdentityStore: e.IdentityStore, Cognito: e.Cognito}
	d := directory.Source{Type: directory.Cognito, ID: poolID}
	u, err := r.Lookup(ctx, d, subs[1])
	if err != nil || strings.Join(u.Emails, ",") != "frank@example.com" || u.ID != subs[1] {
		t.Fatalf("%+v %v", u, err)
	}
	if _, err := r.Lookup(ctx, d, "00000000-0000-0000-0000-000000000000"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("unknown sub: %v", err)
	}
	// An unverified email is never an address revoke acts on (before: the
	// CEO's address came back for mallory's sub).
	if u, err := r.Lookup(ctx, d, subs[2]); err != nil || len(u.Emails) != 0 || u.Unverified != 1 {
		t.Fatalf("unverified email used: %+v %v", u, err)
	}
	var listed []string
	for _, u := range listAll(t, r, d) {
		listed = append(listed, u.Emails...)
	}
	if got := strings.Join(listed, ","); got != "erin@example.com,frank@example.com" && got != "frank@example.com,erin@example.com" {
		t.Fatalf("snapshot addresses %v", listed)
	}
	// A disabled pool user is listed (still traceable) but marked
	// disabled, so the orphan comparison does not count them active.
	if _, err := e.Cognito.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &poolID, Username: aws.String("frank")}); err != nil {
		t.Fatal(err)
	}
	disabled := map[string]bool{}
	for _, u := range listAll(t, r, d) {
		disabled[u.ID] = u.Disabled
	}
	if !disabled[subs[1]] || disabled[subs[0]] || len(disabled) != 3 {
		t.Fatalf("disabled %v", disabled)
	}
	if page, _, err := r.ListPage(ctx, d, ""); err != nil || len(page) != 3 {
		t.Fatalf("page %v %v", page, err)
	} else {
		for _, u := range page {
			if u.Disabled != (u.ID == subs[1]) {
				t.Fatalf("page user %+v", u)
			}
		}
	}
}
