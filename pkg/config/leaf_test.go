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
		// No provider, and no AWS client: every function loads the
		// configuration, and the api and the consumer read no directory.
		if strings.Contains(p, "/pkg/provider") || strings.Contains(p, "aws-sdk-go-v2/service/") {
			t.Errorf("config depends on %s", p)
		}
	}
}
