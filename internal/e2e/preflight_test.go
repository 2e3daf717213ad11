package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runPreflight runs scripts/preflight (without the builds, which `make
// preflight` checks) on a template and returns its exit status and output.
func runPreflight(t *testing.T, template string) (bool, string) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		if os.Getenv("REVOKE_MOTO") == "1" {
			t.Fatal("python3 is needed for the preflight")
		}
		t.Skip("python3 is not available")
	}
	cmd := exec.Command("python3", "../../scripts/preflight", "--no-build", "--template", template, "--events", "../../events")
	out, err := cmd.CombinedOutput()
	if _, exit := err.(*exec.ExitError); err != nil && !exit {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "Traceback") {
		t.Fatalf("preflight crashed:\n%s", out)
	}
	return err == nil, string(out)
}

// TestPreflight: the preflight passes the template as written and fails
// each broken one with a message naming the resource and the property.
func TestPreflight(t *testing.T) {
	src, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		from, to  string // the one edit that breaks the template ("" = as written)
		wantParts []string
	}{
		{name: "as written"},
		{name: "two-character index name", from: "IndexName: by-time", to: "IndexName: g2",
			wantParts: []string{"LedgerTable", "GlobalSecondaryIndexes[1].IndexName", "at least 3"}},
		{name: "misspelt IAM action", from: "                - dynamodb:BatchGetItem\n", to: "                - dynamodb:BatchGetItems\n",
			wantParts: []string{"ApiFunctionRole.Policies[1]", ".Action", "'dynamodb:BatchGetItems' is not an operation of dynamodb"}},
		{name: "rule pattern that cannot match its sample", from: "eventName: [AdminDisableUser, AdminDeleteUser]", to: "eventName: [AdminDisableUsers, AdminDeleteUser]",
			wantParts: []string{"[changed] CognitoRule.EventPattern", "does not match its sample events/trigger-cognito-admindisableuser.json"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			text := string(src)
			if tc.from != "" {
				if strings.Count(text, tc.from) < 1 {
					t.Fatalf("template.yaml lacks %q", tc.from)
				}
				text = strings.Replace(text, tc.from, tc.to, 1)
			}
			path := filepath.Join(t.TempDir(), "template.yaml")
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			ok, out := runPreflight(t, path)
			if tc.wantParts == nil {
				if !ok || strings.Contains(out, "FAIL") {
					t.Fatalf("preflight fails the template as written:\n%s", out)
				}
				return
			}
			if ok {
				t.Fatalf("preflight passed a broken template:\n%s", out)
			}
			var line string
			for _, l := range strings.Split(out, "\n") {
				if strings.Contains(l, "FAIL") && strings.Contains(l, tc.wantParts[0]) {
					line = l
				}
			}
			for _, p := range tc.wantParts {
				if !strings.Contains(line, p) {
					t.Errorf("no FAIL line with %q:\n%s", strings.Join(tc.wantParts, " … "), out)
					break
				}
			}
		})
	}
}
