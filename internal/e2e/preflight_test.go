package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreflight: scripts/preflight (without the builds, which `make
// preflight` checks) passes the template as written, names a type it
// cannot check, and fails each broken template with a message naming the
// resource and the property. One run checks every template (one start-up).
func TestPreflight(t *testing.T) {
	t.Parallel() // Python start-up overlaps the end-to-end builds
	if _, err := exec.LookPath("python3"); err != nil {
		if os.Getenv("REVOKE_MOTO") == "1" {
			t.Fatal("python3 is needed for the preflight")
		}
		t.Skip("python3 is not available")
	}
	src, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		from, to  string // the one edit to the template ("" = as written)
		wantOK    bool
		wantParts []string // all in one output line
	}{
		{name: "as written", wantOK: true},
		{name: "a type it cannot check is named", from: "\nOutputs:\n", to: "\n  Extra:\n    Type: AWS::SSM::Parameter\n    Properties: {Type: String, Value: x}\n\nOutputs:\n",
			wantOK: true, wantParts: []string{"NOT CHECKED AWS::SSM::Parameter (Extra)"}},
		{name: "two-character index name", from: "IndexName: by-time", to: "IndexName: g2",
			wantParts: []string{"FAIL", "LedgerTable", "GlobalSecondaryIndexes[1].IndexName", "at least 3"}},
		{name: "misspelt IAM action", from: "                - dynamodb:BatchGetItem\n", to: "                - dynamodb:BatchGetItems\n",
			wantParts: []string{"FAIL", "ApiFunctionRole.Policies[1]", ".Action", "'dynamodb:BatchGetItems' is not an operation of dynamodb"}},
		{name: "misspelt condition key", from: "dynamodb:LeadingKeys: [\"REQ#*\", \"MARK#*\",", to: "dynamodb:LeadingKey: [\"REQ#*\", \"MARK#*\",",
			wantParts: []string{"FAIL", "ConsumerFunctionRole.Policies[2]", ".Condition.ForAllValues:StringLike", "'dynamodb:LeadingKey' is not a condition key of dynamodb"}},
		{name: "a resource of another service", from: "              Resource: !GetAtt DeadLetterQueue.Arn\n", to: "              Resource: !GetAtt LedgerTable.Arn\n",
			wantParts: []string{"FAIL", "SweepFunctionRole.Policies[1]", ".Resource", "is a dynamodb ARN; the statement's actions are sqs"}},
		{name: "rule pattern that cannot match its sample", from: "eventName: [AdminDisableUser, AdminDeleteUser]", to: "eventName: [AdminDisableUsers, AdminDeleteUser]",
			wantParts: []string{"FAIL", "[changed] CognitoRule.EventPattern", "does not match its sample events/trigger-cognito-admindisableuser.json"}},
		{name: "a rule that may not invoke its function", from: "  OktaRulePermission:\n    Type: AWS::Lambda::Permission\n    Condition: HasOktaBus\n    Properties:\n      Action: lambda:InvokeFunction\n      FunctionName: !Ref TriggerFunction\n      Principal: events.amazonaws.com\n      SourceArn: !GetAtt OktaRule.Arn\n\n",
			wantParts: []string{"FAIL", "[changed] OktaRule.Targets[0]", "no AWS::Lambda::Permission lets this rule invoke TriggerFunction"}},
		{name: "a parameter value that cannot deploy", from: "    MinValue: 1\n    MaxValue: 300\n", to: "    MinValue: 0\n    MaxValue: 300\n",
			wantParts: []string{"FAIL", "[ConsumerBatchingWindowSeconds=0] ConsumerFunctionQueue.MaximumBatchingWindowInSeconds", "BatchSize 100 > 10 needs at least 1"}},
		{name: "a parameter long enough to overflow an environment", from: "    Type: String\n    MaxLength: 1000\n", to: "    Type: String\n    MaxLength: 3000\n",
			wantParts: []string{"FAIL", "[every String parameter at its MaxLength] ApiFunction.Environment", "at most 4096"}},
		{name: "an unbounded String parameter", from: "    Type: String\n    MaxLength: 1000\n", to: "    Type: String\n",
			wantParts: []string{"FAIL", "Parameters.Connections", "without MaxLength"}},
	}
	dir := t.TempDir()
	args := []string{"../../scripts/preflight", "--no-build", "--events", "../../events"}
	paths := make([]string, len(tests))
	for i, tc := range tests {
		text := string(src)
		if tc.from != "" {
			if !strings.Contains(text, tc.from) {
				t.Fatalf("%s: template.yaml lacks %q", tc.name, tc.from)
			}
			text = strings.Replace(text, tc.from, tc.to, 1)
		}
		paths[i] = filepath.Join(dir, fmt.Sprintf("case%d.yaml", i))
		if err := os.WriteFile(paths[i], []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--template", paths[i])
	}
	out, err := exec.Command("python3", args...).CombinedOutput()
	if _, exit := err.(*exec.ExitError); err != nil && !exit {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "Traceback") {
		t.Fatalf("preflight crashed:\n%s", out)
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prefix := "preflight: " + paths[i] + ": "
			var lines []string
			for _, l := range strings.Split(string(out), "\n") {
				if strings.HasPrefix(l, prefix) {
					lines = append(lines, strings.TrimPrefix(l, prefix))
				}
			}
			if len(lines) == 0 {
				t.Fatalf("no output for the template:\n%s", out)
			}
			ok := strings.Contains(lines[len(lines)-1], ": ok (")
			report := strings.Join(lines, "\n")
			if ok != tc.wantOK || ok && strings.Contains(report, "FAIL") {
				t.Fatalf("preflight passed %v, want %v:\n%s", ok, tc.wantOK, report)
			}
		next:
			for _, l := range lines {
				for _, p := range tc.wantParts {
					if !strings.Contains(l, p) {
						continue next
					}
				}
				return
			}
			if len(tc.wantParts) > 0 {
				t.Errorf("no line with all of %q:\n%s", tc.wantParts, report)
			}
		})
	}
}

// TestPreflightELFCheck: the preflight's build check takes only a 64-bit
// little-endian arm64 executable as a Lambda bootstrap.
func TestPreflightELFCheck(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not available")
	}
	t.Parallel()
	header := func(class, machine byte, typ byte) []byte {
		h := make([]byte, 64)
		copy(h, "\x7fELF")
		h[4], h[5], h[16], h[18], h[19] = class, 1, typ, machine, 0
		return h
	}
	tests := []struct {
		name string
		data []byte
		want string // "" = accepted
	}{
		{"arm64 executable", header(2, 0xB7, 2), ""},
		{"x86-64 executable", header(2, 0x3E, 2), "not arm64"},
		{"32-bit", header(1, 0xB7, 2), "not a 64-bit"},
		{"shared object", header(2, 0xB7, 3), "not an executable"},
		{"not ELF", []byte("#!/bin/sh\necho hi\n"), "not an ELF"},
	}
	dir := t.TempDir()
	script := "import sys\nsys.dont_write_bytecode = True\nsys.path.insert(0, '../../scripts/preflight')\nimport build\nfor p in sys.argv[1:]:\n    print(build.elf_arm64(p) or '')\n"
	args := []string{"-c", script}
	for i, tc := range tests {
		p := filepath.Join(dir, fmt.Sprint(i))
		if err := os.WriteFile(p, tc.data, 0o700); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	out, err := exec.Command("python3", args...).Output()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(got) != len(tests) {
		t.Fatalf("output %q", out)
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == "" && got[i] != "" || tc.want != "" && !strings.Contains(got[i], tc.want) {
				t.Errorf("got %q, want %q", got[i], tc.want)
			}
		})
	}
}
