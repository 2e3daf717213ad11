package e2e

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBinariesImportNoDevCode: the Lambda binaries link no simulator, no
// in-memory queue or ledger, no test helper (go list -deps).
func TestBinariesImportNoDevCode(t *testing.T) {
	for _, fn := range []string{"api", "consumer", "sweep", "trigger"} {
		out, err := exec.Command("go", "list", "-tags", "lambda.norpc", "-deps", "../../functions/"+fn).Output()
		if err != nil {
			t.Fatalf("%s: %v", fn, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.Contains(dep, "/revoke/internal/") || dep == "testing" || dep == "net/http/httptest" {
				t.Errorf("functions/%s imports %s", fn, dep)
			}
		}
	}
}
