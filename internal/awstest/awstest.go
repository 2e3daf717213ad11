// Package awstest gives integration tests real AWS protocol peers: the
// moto_server that scripts/with-moto starts for `make test`
// (AWS_ENDPOINT_URL), with SQS, Secrets Manager, DynamoDB, Identity Store
// and Cognito. Without one the tests are skipped, unless REVOKE_MOTO=1
// says one must be there, in which case they fail. Only _test files import
// it.
package awstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/revoke-dev/revoke/pkg/ledger"
)

// Env is one test's AWS clients.
type Env struct {
	Config        aws.Config
	SQS           *sqs.Client
	Secrets       *secretsmanager.Client
	Dynamo        *dynamodb.Client
	IdentityStore *identitystore.Client
	Cognito       *cip.Client
}

var seq atomic.Int64

// run tells this test process's names from those of every other process
// that uses the same moto server, before or after it: a process id alone
// is reused (a name of an earlier package's process collided under
// `go test -p 4`).
var run = func() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}()

// Available reports whether a moto server is configured.
func Available() bool { return os.Getenv("AWS_ENDPOINT_URL") != "" }

// New returns clients for the moto server, or skips the test.
func New(t testing.TB) *Env {
	t.Helper()
	if !Available() {
		if os.Getenv("REVOKE_MOTO") == "1" {
			t.Fatal("REVOKE_MOTO=1 but AWS_ENDPOINT_URL is not set")
		}
		t.Skip("no moto server: run through `make test` (scripts/with-moto)")
	}
	cfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Config: cfg, SQS: sqs.NewFromConfig(cfg), Secrets: secretsmanager.NewFromConfig(cfg), Dynamo: dynamodb.NewFromConfig(cfg),
		IdentityStore: identitystore.NewFromConfig(cfg), Cognito: cip.NewFromConfig(cfg)}
}

// Unique returns a name no other test uses on the same moto server.
func Unique(prefix string) string {
	return fmt.Sprintf("%s-%s-%d", prefix, run, seq.Add(1))
}

// Queue creates a queue and returns its URL.
func (e *Env) Queue(t testing.TB, name string, attrs map[string]string) string {
	t.Helper()
	out, err := e.SQS.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(Unique(name)), Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return *out.QueueUrl
}

// QueueWithDLQ creates a queue whose redrive policy moves a message to a new
// DLQ after maxReceive receives. It returns both URLs.
func (e *Env) QueueWithDLQ(t testing.TB, name string, maxReceive int, visibility time.Duration) (queueURL, dlqURL string) {
	t.Helper()
	dlqURL = e.Queue(t, name+"-dlq", nil)
	attrs, err := e.SQS.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: &dlqURL, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	policy, _ := json.Marshal(map[string]string{"deadLetterTargetArn": attrs.Attributes["QueueArn"], "maxReceiveCount": strconv.Itoa(maxReceive)})
	queueURL = e.Queue(t, name, map[string]string{
		"RedrivePolicy":     string(policy),
		"VisibilityTimeout": strconv.Itoa(int(visibility / time.Second)),
	})
	return queueURL, dlqURL
}

// Secret creates (or overwrites) a secret.
func (e *Env) Secret(t testing.TB, id, value string) {
	t.Helper()
	ctx := context.Background()
	_, err := e.Secrets.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: &id, SecretString: &value})
	if err != nil && strings.Contains(err.Error(), "ResourceExists") {
		_, err = e.Secrets.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: &id, SecretString: &value})
	}
	if err != nil {
		t.Fatal(err)
	}
}

// Table creates a ledger table (the definition template.yaml declares) and
// returns its name.
func (e *Env) Table(t testing.TB) string {
	t.Helper()
	name := Unique("ledger")
	if _, err := e.Dynamo.CreateTable(context.Background(), ledger.TableInput(name)); err != nil {
		t.Fatal(err)
	}
	return name
}

// Ledger returns a ledger on a new table.
func (e *Env) Ledger(t testing.TB) (*ledger.Ledger, *ledger.Dynamo) {
	t.Helper()
	store := &ledger.Dynamo{API: e.Dynamo, Table: e.Table(t)}
	return ledger.New(store, 400*24*time.Hour), store
}

// Drain receives every visible message of a queue (deleting none) and
// returns them, waiting until two receives in a row come back empty.
func (e *Env) Drain(t testing.TB, url string) []sqstypes.Message {
	t.Helper()
	var out []sqstypes.Message
	empty := 0
	for empty < 2 {
		r, err := e.SQS.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: &url, MaxNumberOfMessages: 10, VisibilityTimeout: 300,
			MessageAttributeNames: []string{"All"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Messages) == 0 {
			empty++
			continue
		}
		empty = 0
		out = append(out, r.Messages...)
	}
	return out
}
