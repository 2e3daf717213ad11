// Package lambdainit is the part of every function's init that is the
// same: read the configuration contract and check it against the
// provider registry, build the JSON logger, load the AWS SDK configuration
// (AWS_REGION, AWS_ENDPOINT_URL, credentials), and gather the AWS-backed
// parts every function shares (secrets, queue, ledger). Each handler is
// built from those parts by its package's New, as the embedded pipeline
// builds it. A bad configuration stops the function before it serves
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
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/queue"
	"github.com/revoke-dev/revoke/pkg/secrets"
	"github.com/revoke-dev/revoke/pkg/wiring"
)

// Env is what every function's init builds: the parts of its handler, and
// the AWS configuration a function needs for clients of its own (the
// followed directories).
type Env struct {
	wiring.Parts
	AWS aws.Config
}

// Must returns the function's environment, or logs why not and exits
// (Lambda reports an init error). LEDGER_TABLE is required.
func Must() *Env {
	reg := registry.Builtin()
	cfg, err := wiring.Load(os.Getenv, reg)
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
		Parts: wiring.Parts{
			Config:    cfg,
			Providers: reg,
			Log:       log,
			Secrets:   secrets.NewCache(&secrets.SecretsManager{API: secretsmanager.NewFromConfig(a)}, config.DefaultSecretTTL),
			Queue:     &queue.SQS{API: sqs.NewFromConfig(a)},
			Ledger:    ledger.New(&ledger.Dynamo{API: dynamodb.NewFromConfig(a), Table: cfg.LedgerTable}, cfg.Retention()),
			Metrics:   os.Stdout,
		},
		AWS: a,
	}
}
