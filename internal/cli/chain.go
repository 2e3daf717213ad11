package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/revoke-dev/revoke/pkg/ledger"
)

// Bounds of a chain export read by --verify (outside input).
const (
	maxChainLine   = 8 << 20 // one target's chain, as one JSON line
	maxChainLines  = 1_000_000
	maxChainIssues = 1000 // problems printed before the count alone
)

// fetchChains reads every page of a request's chains from the API
// (GET /revocations/{id}?format=chain) and hands each to fn. It returns
// how many targets the request recorded when it was made.
func fetchChains(ctx context.Context, c *apiClient, id string, fn func(ledger.TargetChain) error) (recorded int, _ error) {
	q := url.Values{"format": {"chain"}, "limit": {"200"}}
	for {
		var p struct {
			Targets int                  `json:"targets"`
			Chains  []ledger.TargetChain `json:"chains"`
			Next    *string              `json:"next"`
		}
		if err := c.getJSON(ctx, "/revocations/"+id, q, &p); err != nil {
			return 0, err
		}
		recorded = max(recorded, p.Targets)
		for _, ch := range p.Chains {
			if err := fn(ch); err != nil {
				return 0, err
			}
		}
		if p.Next == nil {
			return recorded, nil
		}
		q.Set("cursor", *p.Next)
	}
}

// readChains reads a chain export: one target's chain a JSON line, as
// `revokectl evidence --request ID --format chain` prints it.
func readChains(r io.Reader, fn func(ledger.TargetChain) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxChainLine)
	for n := 1; sc.Scan(); n++ {
		if n > maxChainLines {
			return fmt.Errorf("more than %d lines", maxChainLines)
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var ch ledger.TargetChain
		if err := json.Unmarshal([]byte(line), &ch); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if err := fn(ch); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading the export: %w", err)
	}
	return nil
}

// printChains prints a request's chains as an export, one JSON line each.
func printChains(ctx context.Context, io IO, c *apiClient, id string) int {
	enc := json.NewEncoder(io.Out)
	if _, err := fetchChains(ctx, c, id, func(ch ledger.TargetChain) error { return enc.Encode(ch) }); err != nil {
		return fail(io, "%v", err)
	}
	return ExitOK
}

// verifyChains checks every chain of an export (from a file, "-" for
// standard input, or the API) and prints what does not hold: exit 0 when
// every chain holds, 1 otherwise.
func verifyChains(ctx context.Context, io IO, in string, c *apiClient, id string) int {
	var targets, attempts, issues int
	check := func(ch ledger.TargetChain) error {
		targets++
		attempts += len(ch.Attempts)
		for _, p := range ledger.VerifyChain(ch) {
			if issues++; issues <= maxChainIssues {
				fmt.Fprintf(io.Out, "TAMPERED request %s target %s seq %d: %s\n", p.RequestID, p.Key, p.Seq, p.What)
			}
		}
		return nil
	}
	var err error
	recorded := 0 // the targets the request recorded, when read from the API
	switch {
	case in == "-":
		err = readChains(io.In, check)
	case in != "":
		f, oerr := os.Open(in)
		if oerr != nil {
			return fail(io, "%v", oerr)
		}
		defer f.Close()
		err = readChains(f, check)
	default:
		recorded, err = fetchChains(ctx, c, id, check)
	}
	if err != nil {
		return fail(io, "%v", err)
	}
	if recorded > 0 && targets != recorded {
		// A target deleted with its whole chain leaves no chain to fail.
		issues++
		fmt.Fprintf(io.Out, "INCOMPLETE request %s: it recorded %d targets, the chains hold %d: a target's record was deleted or added\n", id, recorded, targets)
	}
	if issues > 0 {
		fmt.Fprintf(io.Out, "%d problems in %d targets' chains (%d attempts): the history was changed, reordered or cut\n", issues, targets, attempts)
		return ExitFail
	}
	if targets == 0 {
		return fail(io, "%v", errNoChains)
	}
	fmt.Fprintf(io.Out, "ok: %d targets' chains hold (%d attempts)\n", targets, attempts)
	return ExitOK
}

var errNoChains = errors.New("the export holds no chain")
