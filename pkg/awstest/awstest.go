// Package awstest gives integration tests real SQS and Secrets Manager
// protocol peers: the moto_server that scripts/with-moto starts for
// `make test` (AWS_ENDPOINT_URL). Without one the tests are skipped, unless
// REVOKE_MOTO=1 says one must be there, in which case they fail.
// Only _test files import it.
package awstest

import (
	"context"
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
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Env is one test's AWS clients.
type Env struct {
	Config  aws.Config
	SQS     *sqs.Client
	Secrets *secretsmanager.Client
}

var seq atomic.Int64

// New returns clients for the moto server, or skips the test.
func New(t testing.TB) *Env {
	t.Helper()
	if os.Getenv("AWS_ENDPOINT_URL") == "" {
		if os.Getenv("REVOKE_MOTO") == "1" {
			t.Fatal("REVOKE_MOTO=1 but AWS_ENDPOINT_URL is not set")
		}
		t.Skip("no moto server: run through `make test` (scripts/with-moto)")
	}
	cfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Config: cfg, SQS: sqs.NewFromConfig(cfg), Secrets: secretsmanager.NewFromConfig(cfg)}
}

// Unique returns a name no other test in this run uses.
func Unique(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), seq.Add(1))
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

// Drain receives every visible message of a queue (deleting none) and
// returns their bodies, waiting until two receives in a row come back empty.
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
