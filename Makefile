# revoke — see README.md. `make demo` and `make test` work on a fresh machine.
GO        ?= go
FUNCTIONS := api consumer sweep trigger
BUILD_DIR ?= build
GOARCH    ?= arm64
# Lambda builds: provided.al2023 on arm64, no RPC shim, stripped, reproducible.
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags="-s -w -buildid="
FUZZTIME  ?= 10s

.PHONY: all build build-host test unit lint vet fmt-check cfn-lint preflight demo bench soak fuzz vuln deploy invoke clean moto-check \
        build-ApiFunction build-ConsumerFunction build-SweepFunction build-TriggerFunction

all: build

## build: one stripped arm64 bootstrap per function in build/<fn>/bootstrap
build: $(FUNCTIONS:%=$(BUILD_DIR)/%/bootstrap)

$(BUILD_DIR)/%/bootstrap: FORCE
	@mkdir -p $(dir $@)
	GOOS=linux GOARCH=$(GOARCH) CGO_ENABLED=0 $(GO) build $(LAMBDA_FLAGS) -o $@ ./functions/$*

FORCE:

## build-host: the same bootstraps for this machine (to run them locally: revokectl invoke, tests)
build-host: $(FUNCTIONS:%=$(BUILD_DIR)/host/%/bootstrap)

$(BUILD_DIR)/host/%/bootstrap: FORCE
	@mkdir -p $(dir $@)
	CGO_ENABLED=0 $(GO) build $(LAMBDA_FLAGS) -o $@ ./functions/$*

## invoke: run a function's bootstrap with an event, without Docker: make invoke FN=api EVENT=events/api-revoke.json
invoke: build-host
	$(GO) run ./cmd/revokectl invoke $(FN) $(EVENT)

# SAM (BuildMethod: makefile) calls build-<LogicalId> with ARTIFACTS_DIR set.
build-ApiFunction:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/api
build-ConsumerFunction:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/consumer
build-SweepFunction:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/sweep
build-TriggerFunction:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/trigger

## test: everything CI runs — formatting, vet, cfn-lint, the preflight, all tests with -race
## against moto (including a 5 s fault soak and the IAM-enforced end-to-end tests), then
## every fuzz target for FUZZ_SMOKE executions (two targets at a time; a count, not a
## time: a target that spends its first seconds on its corpus still gets its executions;
## `make fuzz` fuzzes longer). Four test binaries at a time (TEST_P): most packages wait
## on moto, the simulators' rate limits and SQS visibility timeouts, not on CPU.
TEST_P     ?= 4
FUZZ_SMOKE ?= 10000x
test: fmt-check vet cfn-lint preflight
	scripts/with-moto $(GO) test -race -count=1 -p $(TEST_P) -timeout 20m ./...
	GO=$(GO) scripts/fuzz $(FUZZ_SMOKE)

## soak: the fault soak for SOAK_TIME (default 2m) on moto, the real handlers and the simulators
SOAK_TIME ?= 2m
soak:
	REVOKE_SOAK=$(SOAK_TIME) scripts/with-moto $(GO) test -count=1 -run '^TestSoak$$' -v -timeout 30m ./internal/soak

## unit: the tests that need no moto server (integration tests skip); the sweep's included
unit:
	$(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './.git/*' -not -path './build/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

cfn-lint:
	@if [ -f template.yaml ]; then \
	  command -v cfn-lint >/dev/null 2>&1 || python3 -m pip install --quiet cfn-lint; \
	  cfn-lint template.yaml; \
	fi

## preflight: the stack deploys as written (offline): SAM transform, every resource against the
## AWS API model of its CloudFormation call, EventPatterns against events/, IAM actions, arm64 builds
preflight:
	@python3 -c 'import samtranslator, moto, boto3' 2>/dev/null || python3 -m pip install --quiet cfn-lint 'moto[server]'
	python3 scripts/preflight

lint: fmt-check vet cfn-lint

## fuzz: run every fuzz target for FUZZTIME each (found in the sources; one instrumented binary per package)
fuzz:
	GO=$(GO) scripts/fuzz $(FUZZTIME)

## vuln: govulncheck. It needs the Go vulnerability database (vuln.go.dev), which
## these build machines cannot reach, so `make test` does not run it: run it where
## the database is reachable (a CI job with internet access, or your laptop).
vuln:
	$(GO) run golang.org/x/vuln/cmd/govulncheck@latest ./...

## demo: the whole pipeline locally (embedded queue, provider simulators; no AWS, no Docker)
demo:
	$(GO) run ./cmd/revokectl demo

## bench: Go benchmarks + the end-to-end scenarios; writes BENCHMARKS.md and docs/bench-throughput.svg
bench:
	@mkdir -p $(BUILD_DIR)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./pkg/request ./pkg/provider/journeyapps ./pkg/provider/mendix ./pkg/consumer ./pkg/trigger | grep -E '^Benchmark' > $(BUILD_DIR)/gobench.txt
	scripts/with-moto $(GO) run ./cmd/revokectl bench --go-bench $(BUILD_DIR)/gobench.txt --out BENCHMARKS.md

deploy:
	sam build && sam deploy

clean:
	rm -rf $(BUILD_DIR) .aws-sam
