package ledger_test

import (
	"regexp"
	"testing"

	"github.com/revoke-dev/revoke/pkg/ledger"
)

// TestTableInputNames: DynamoDB accepts only index names of 3-255
// characters [a-zA-Z0-9_.-] and attribute names of 1-255 (CreateTable in
// the DynamoDB API reference). moto accepts shorter ones, so nothing else
// here would notice.
func TestTableInputNames(t *testing.T) {
	indexName := regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)
	in := ledger.TableInput("revoke-LedgerTable")
	if len(in.GlobalSecondaryIndexes) != 2 {
		t.Fatalf("indexes %d, want 2", len(in.GlobalSecondaryIndexes))
	}
	for _, g := range in.GlobalSecondaryIndexes {
		if !indexName.MatchString(*g.IndexName) {
			t.Errorf("index name %q: DynamoDB needs 3-255 characters [a-zA-Z0-9_.-]", *g.IndexName)
		}
	}
	for _, a := range in.AttributeDefinitions {
		if n := len(*a.AttributeName); n < 1 || n > 255 {
			t.Errorf("attribute name %q: 1-255 characters", *a.AttributeName)
		}
	}
	want := map[string]bool{ledger.IndexByIdentity: true, ledger.IndexByTime: true}
	for _, g := range in.GlobalSecondaryIndexes {
		delete(want, *g.IndexName)
	}
	if len(want) != 0 {
		t.Errorf("TableInput lacks indexes %v", want)
	}
}
