package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/revoke-dev/revoke/pkg/provider"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
	"github.com/revoke-dev/revoke/pkg/provider/rest"
)

func runValidate(_ context.Context, io IO, args []string) int {
	fs := flags(io, "validate", "[flags] <provider> <secret.json|->",
		"Checks a connection secret against the provider's rules without printing any of its values.\n  Exit 0 if valid, 1 if not, 2 if the file cannot be read or is not JSON.")
	insecure := fs.Bool("allow-insecure-http", false, "accept http:// URLs (as ALLOW_INSECURE_HTTP=true does)")
	if code, stop := parse(fs, args); stop {
		return code
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return ExitUsage
	}
	reg := registry.Builtin()
	name := strings.ToLower(fs.Arg(0))
	kind, ok := reg.Kind(name)
	if !ok {
		return usageErr(io, "unknown provider %q (want one of %s)", name, strings.Join(reg.Names(), ", "))
	}
	raw, err := readInput(io, fs.Arg(1))
	if err != nil {
		return usageErr(io, "%v", err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return usageErr(io, "%s is not a JSON object", fs.Arg(1))
	}
	if _, err := kind.New(raw, rest.Options{AllowInsecureHTTP: *insecure}); err != nil {
		return fail(io, "invalid %s secret: %s", name, provider.As(err).Message)
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	slices.Sort(names)
	fmt.Fprintf(io.Out, "ok: valid %s secret (fields: %s; can %v)\n", name, strings.Join(names, ", "), kind.Capabilities())
	return ExitOK
}
