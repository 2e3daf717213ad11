package message

import (
	"slices"
	"strconv"
	"strings"
)

// outcomeOrder is the order counts are printed in: settled outcomes first,
// then what is still moving. Outcomes not named here follow, sorted.
var outcomeOrder = []Outcome{
	Done, Already, NoAccount, Failed,
	WouldRevoke, WouldRestore, Changed, Retrying, Pending,
}

// CountsText renders a request's counts for a person ("done 4, failed 1"),
// in a stable order, skipping zeros; "no targets" when there are none.
// Outcome names are the status API's, with "_" as a space.
func CountsText(counts map[string]int) string {
	var parts []string
	seen := map[string]bool{}
	add := func(k string) {
		if n := counts[k]; n != 0 && !seen[k] {
			parts = append(parts, strings.ReplaceAll(k, "_", " ")+" "+strconv.Itoa(n))
		}
		seen[k] = true
	}
	for _, o := range outcomeOrder {
		add(string(o))
	}
	rest := make([]string, 0, len(counts))
	for k := range counts {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		add(k)
	}
	if len(parts) == 0 {
		return "no targets"
	}
	return strings.Join(parts, ", ")
}
