package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/revoke-dev/revoke/internal/runtimeapi"
)

// logicalIDs maps function names to their template logical ids (the keys
// of events/env.json, as `sam local invoke --env-vars` reads it).
var logicalIDs = map[string]string{"api": "ApiFunction", "consumer": "ConsumerFunction", "sweep": "SweepFunction", "trigger": "TriggerFunction"}

// contractEnv are the variables a caller's environment may override.
var contractEnv = []string{"CONNECTIONS", "SECRET_PREFIX", "QUEUE_URL", "DLQ_URL", "API_TOKENS_SECRET_ID", "AUTH_MODE",
	"MAX_TARGETS", "OKTA_EVENT_TYPES", "OKTA_CONNECTIONS", "ALLOW_INSECURE_HTTP", "MAX_CONCURRENCY", "LOG_LEVEL",
	"MAX_RECEIVE_COUNT", "LEDGER_TABLE", "LEDGER_RETENTION_DAYS", "DRY_RUN", "SCIM_TOKENS_SECRET_ID", "SCIM_CONNECTIONS",
	"SCIM_RESTORE", "AUTH0_LOG_TYPES", "TRIGGER_CONNECTIONS", "DIRECTORY_SOURCES"}

func runInvoke(ctx context.Context, io IO, args []string) int {
	fs := flags(io, "invoke", "[flags] <api|consumer|sweep|trigger> <event.json>",
		"Runs build/host/<function>/bootstrap (make build-host) through a local Lambda Runtime API,\n  prints the function's response on stdout and its logs on stderr. Exit 1 if the function failed.")
	envFile := fs.String("env-file", "events/env.json", "environment file in `sam local invoke --env-vars` format")
	bootstrap := fs.String("bootstrap", "", "path to the bootstrap (default build/host/<function>/bootstrap)")
	timeout := fs.Duration("timeout", 30*time.Second, "invocation timeout")
	quiet := fs.Bool("quiet", false, "do not print the function's logs")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return ExitUsage
	}
	fn, eventFile := fs.Arg(0), fs.Arg(1)
	id, ok := logicalIDs[fn]
	if !ok {
		return usageErr(io, "unknown function %q (api, consumer, sweep or trigger)", fn)
	}
	event, err := os.ReadFile(eventFile)
	if err != nil {
		return usageErr(io, "read event: %v", err)
	}
	if !json.Valid(event) {
		return usageErr(io, "%s is not valid JSON", eventFile)
	}
	env, err := functionEnv(*envFile, id)
	if err != nil {
		return usageErr(io, "%v", err)
	}
	if *bootstrap == "" {
		*bootstrap = filepath.Join("build", "host", fn, "bootstrap")
	}
	if _, err := os.Stat(*bootstrap); err != nil {
		return usageErr(io, "%s not found: run `make build-host` (or pass --bootstrap)", *bootstrap)
	}
	opts := runtimeapi.Options{Bootstrap: *bootstrap, Env: env, Name: "revoke-" + fn, Timeout: *timeout, Output: io.Err}
	if *quiet {
		opts.Output = nil
	}
	s, err := runtimeapi.Start(ctx, opts)
	if err != nil {
		return fail(io, "%v", err)
	}
	defer s.Close()
	res, err := s.Invoke(ctx, event)
	if err != nil {
		return fail(io, "%v", err)
	}
	fmt.Fprintf(io.Err, "revokectl: %s init %s, invocation %s (%s/%s)\n", fn, s.InitDuration().Round(time.Millisecond), res.Duration.Round(time.Millisecond), runtime.GOOS, runtime.GOARCH)
	if res.Error != nil {
		b, _ := json.Marshal(res.Error)
		fmt.Fprintln(io.Out, string(b))
		return ExitFail
	}
	fmt.Fprintln(io.Out, strings.TrimSpace(string(res.Payload)))
	return ExitOK
}

// functionEnv reads a function's variables from an env file (missing file:
// none) and lets the caller's environment override contract variables and
// AWS_* settings (so tests and local runs can point at moto).
func functionEnv(file, logicalID string) (map[string]string, error) {
	env := map[string]string{}
	if b, err := os.ReadFile(file); err == nil {
		var all map[string]map[string]string
		if err := json.Unmarshal(b, &all); err != nil {
			return nil, fmt.Errorf("%s: not a sam --env-vars file: %v", file, err)
		}
		for k, v := range all["Parameters"] {
			env[k] = v
		}
		for k, v := range all[logicalID] {
			env[k] = v
		}
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	for _, k := range contractEnv {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	for _, kv := range os.Environ() {
		if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			env[k] = v
		}
	}
	return env, nil
}
