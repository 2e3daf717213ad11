package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"

	"github.com/revoke-dev/revoke/internal/runtimeapi"
)

// emptyHandler is the baseline: the same SDK clients built at init, a
// handler that does nothing. It is generated under build/ at bench time so
// the repository keeps its only main packages in functions/ and cmd/.
const emptyHandler = `package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

func main() {
	cfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	_ = sqs.NewFromConfig(cfg)
	_ = secretsmanager.NewFromConfig(cfg)
	_ = dynamodb.NewFromConfig(cfg)
	lambda.Start(func(ctx context.Context, ev json.RawMessage) (string, error) { return "ok", nil })
}
`

// ColdStart is scenario 2's result for one binary.
type ColdStart struct {
	Name       string
	SizeArm64  int64
	SizeHost   int64
	InitMedian time.Duration
	InitMin    time.Duration
	Runs       int
}

// Build compiles a package as Lambda runs it.
func Build(root, pkg, out, goarch string) error {
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w -buildid=", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if goarch != "" {
		cmd.Env = append(cmd.Env, "GOARCH="+goarch)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build %s: %v\n%s", pkg, err, b)
	}
	return nil
}

// RunColdStarts builds the four functions and the baseline and measures
// init (process start to the first /next) runs times each, interleaved.
func RunColdStarts(ctx context.Context, root string, runs int) ([]ColdStart, error) {
	dir := filepath.Join(root, "build", "bench")
	if err := os.MkdirAll(filepath.Join(dir, "emptyfn"), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "emptyfn", "main.go"), []byte(emptyHandler), 0o644); err != nil {
		return nil, err
	}
	names := []string{"baseline (empty handler, same SDK clients)", "api", "consumer", "sweep", "trigger"}
	pkgs := []string{"./build/bench/emptyfn", "./functions/api", "./functions/consumer", "./functions/sweep", "./functions/trigger"}
	out := make([]ColdStart, len(names))
	samples := make([][]time.Duration, len(names))
	for i, pkg := range pkgs {
		host := filepath.Join(dir, "host", fmt.Sprint(i), "bootstrap")
		arm := filepath.Join(dir, "arm64", fmt.Sprint(i), "bootstrap")
		if err := Build(root, pkg, host, ""); err != nil {
			return nil, err
		}
		if err := Build(root, pkg, arm, "arm64"); err != nil {
			return nil, err
		}
		out[i].Name = names[i]
		if st, err := os.Stat(host); err == nil {
			out[i].SizeHost = st.Size()
		}
		if st, err := os.Stat(arm); err == nil {
			out[i].SizeArm64 = st.Size()
		}
	}
	env := map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x",
		"CONNECTIONS": "field-app=journeyapps,crm=backendless,mendix=mendix,wiki=scim", "QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/0/q",
		"DLQ_URL": "https://sqs.us-east-1.amazonaws.com/0/dlq", "API_TOKENS_SECRET_ID": "revoke-auth/api-tokens",
		"SCIM_TOKENS_SECRET_ID": "revoke-auth/scim-tokens", "LEDGER_TABLE": "revoke-ledger", "DIRECTORY_SOURCES": "identitystore:d-1234567890"}
	for r := 0; r < runs; r++ {
		for i := range pkgs {
			s, err := runtimeapi.Start(ctx, runtimeapi.Options{Bootstrap: filepath.Join(dir, "host", fmt.Sprint(i), "bootstrap"), Env: env})
			if err != nil {
				return nil, err
			}
			samples[i] = append(samples[i], s.InitDuration())
			s.Close()
		}
	}
	for i := range out {
		d := samples[i]
		sort.Slice(d, func(a, b int) bool { return d[a] < d[b] })
		out[i].Runs, out[i].InitMedian, out[i].InitMin = len(d), d[len(d)/2], d[0]
	}
	return out, nil
}
