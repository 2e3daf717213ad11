// Package lambdainit is the part of every function's init that is the
// same: read the configuration contract, build the JSON logger, load the
// AWS SDK configuration (AWS_REGION, AWS_ENDPOINT_URL, credentials), and
// build the clients every function shares (secrets, queue, ledger, the one
// request path). A bad configuration stops the function before it serves
// anything.
package lambdainit

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/secrets"
	"github.com/revoke-dev/revoke/pkg/submit"
)

// Env is what every function's init builds.
type Env struct {
	Config  *config.Config
	Log     *slog.Logger
	AWS     aws.Config
	Secrets *secrets.Cache
	Queue   *queue.SQS
	Ledger  *ledger.Ledger
}

// Must returns the function's environment, or logs why not and exits
// (Lambda reports an init error). LEDGER_TABLE is required.
func Must() *Env {
	cfg, err := config.Load(os.Getenv)
	if err == nil {
		err = cfg.RequireLedger()
	}
	if err != nil {
		audit.NewLogger(os.Stdout, slog.LevelInfo).Error("invalid configuration", "error", err)
		os.Exit(1)
	}
	log := audit.NewLogger(os.Stdout, cfg.LogLevel)
	a, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("aws configuration", "error", err)
		os.Exit(1)
	}
	return &Env{
		Config:  cfg,
		Log:     log,
		AWS:     a,
		Secrets: secrets.NewCache(&secrets.SecretsManager{API: secretsmanager.NewFromConfig(a)}, config.DefaultSecretTTL),
		Queue:   &queue.SQS{API: sqs.NewFromConfig(a)},
		Ledger:  ledger.New(&ledger.Dynamo{API: dynamodb.NewFromConfig(a), Table: cfg.LedgerTable}, cfg.Retention()),
	}
}

// Submitter is the one request path on this environment.
func (e *Env) Submitter() *submit.Submitter {
	return &submit.Submitter{Config: e.Config, Ledger: e.Ledger, Queue: e.Queue, Log: e.Log, Metrics: os.Stdout}
}
