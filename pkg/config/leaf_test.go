package config

import (
	"os/exec"
	"strings"
	"testing"
)

// config is a leaf: a connection is a name and a provider name, and no
// provider package is compiled into what reads the environment.
func TestImportsNoProvider(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.Contains(p, "/pkg/provider") {
			t.Errorf("config depends on %s", p)
		}
	}
}
