package awstest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Region and Account are moto's defaults: the ARNs a private moto server
// gives its resources, and the ones the preflight resolves the template to.
const (
	Region  = "us-east-1"
	Account = "123456789012"
)

// Moto is a private moto_server, for tests that switch on its IAM
// enforcement (which is global to a server, so never the shared one).
type Moto struct {
	Endpoint string
	admin    aws.Credentials
}

// StartMoto starts a moto_server on a free loopback port for this test and
// stops it at the test's end. Like New, it skips the test outside
// scripts/with-moto (`make unit`), and fails it if REVOKE_MOTO=1 but
// moto_server is not installed.
func StartMoto(t testing.TB) *Moto {
	t.Helper()
	if !Available() && os.Getenv("REVOKE_MOTO") != "1" {
		t.Skip("no moto server: run through `make test` (scripts/with-moto)")
	}
	server := "moto_server"
	if s := os.Getenv("REVOKE_MOTO_SERVER"); s != "" {
		server = s // scripts/moto-server: moto_server with a test-speed fix, DynamoDB requests run one at a time
	}
	bin, err := exec.LookPath(server)
	if err != nil {
		if os.Getenv("REVOKE_MOTO") == "1" {
			t.Fatal("REVOKE_MOTO=1 but moto_server is not installed")
		}
		t.Skip("moto_server is not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	m := &Moto{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), admin: aws.Credentials{AccessKeyID: "AKIABOOTSTRAP000", SecretAccessKey: "bootstrap"}}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(m.Endpoint + "/moto-api/")
		if err == nil {
			_ = resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not start: %v\n%s", err, log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return m
}

// Admin creates an IAM user allowed everything and makes it the identity of
// the test harness itself (Env, CreateUser after Enforce).
func (m *Moto) Admin(t testing.TB) aws.Credentials {
	t.Helper()
	m.admin = m.CreateUser(t, "harness-admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	return m.admin
}

// CreateUser creates an IAM user holding exactly one inline policy and
// returns an access key of it.
func (m *Moto) CreateUser(t testing.TB, name, policy string) aws.Credentials {
	t.Helper()
	m.iam(t, url.Values{"Action": {"CreateUser"}, "UserName": {name}}, nil)
	m.iam(t, url.Values{"Action": {"PutUserPolicy"}, "UserName": {name}, "PolicyName": {name}, "PolicyDocument": {policy}}, nil)
	var out struct {
		Key struct {
			ID     string `xml:"AccessKeyId"`
			Secret string `xml:"SecretAccessKey"`
		} `xml:"CreateAccessKeyResult>AccessKey"`
	}
	m.iam(t, url.Values{"Action": {"CreateAccessKey"}, "UserName": {name}}, &out)
	if out.Key.ID == "" {
		t.Fatalf("CreateAccessKey %s: no key", name)
	}
	return aws.Credentials{AccessKeyID: out.Key.ID, SecretAccessKey: out.Key.Secret}
}

// Enforce switches IAM enforcement on: from now on every request must be
// signed by a known key and allowed by its user's policies.
func (m *Moto) Enforce(t testing.TB) {
	t.Helper()
	resp, err := http.Post(m.Endpoint+"/moto-api/reset-auth", "text/plain", strings.NewReader("0"))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset-auth: %s", resp.Status)
	}
}

// Env returns clients of the server signing with creds.
func (m *Moto) Env(t testing.TB, creds aws.Credentials) *Env {
	t.Helper()
	cfg, err := awsconfig.LoadDefaultConfig(context.Background(), awsconfig.WithRegion(Region), awsconfig.WithBaseEndpoint(m.Endpoint),
		awsconfig.WithCredentialsProvider(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil })))
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Config: cfg, SQS: sqs.NewFromConfig(cfg), Secrets: secretsmanager.NewFromConfig(cfg), Dynamo: dynamodb.NewFromConfig(cfg),
		IdentityStore: identitystore.NewFromConfig(cfg), Cognito: cip.NewFromConfig(cfg)}
}

// iam makes one IAM query API call, signed with the admin key (moto checks
// nothing before Enforce), and decodes its XML answer into out.
func (m *Moto) iam(t testing.TB, form url.Values, out any) {
	t.Helper()
	form.Set("Version", "2010-05-08")
	body := form.Encode()
	req, err := http.NewRequest(http.MethodPost, m.Endpoint+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), m.admin, req, hex.EncodeToString(sum[:]), "iam", Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("IAM %s: %s\n%s", form.Get("Action"), resp.Status, raw)
	}
	if out != nil {
		if err := xml.Unmarshal(raw, out); err != nil {
			t.Fatalf("IAM %s: %v", form.Get("Action"), err)
		}
	}
}
