package ledger_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/revoke-dev/revoke/pkg/ledger"
)

// transactAPI answers TransactWriteItems with the given errors in turn,
// then success, noting each call's input; any other call is unexpected.
type transactAPI struct {
	ledger.DynamoAPI
	errs  []error
	calls []*dynamodb.TransactWriteItemsInput
}

func (f *transactAPI) TransactWriteItems(_ context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	f.calls = append(f.calls, in)
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		return nil, err
	}
	return &dynamodb.TransactWriteItemsOutput{}, nil
}

func cancelled(codes ...string) error {
	e := &ddb.TransactionCanceledException{Message: aws.String("cancelled")}
	for _, c := range codes {
		e.CancellationReasons = append(e.CancellationReasons, ddb.CancellationReason{Code: aws.String(c)})
	}
	return e
}

// BatchPut and Write go through TransactWriteItems (no BatchWriteItem): a
// transaction cancelled by a conflict is tried again with a new client
// token (it wrote nothing), a failed condition is ErrCondition at once,
// and puts go 100 a call.
func TestDynamoTransactions(t *testing.T) {
	items := func(n int) []ledger.Item {
		out := make([]ledger.Item, n)
		for i := range out {
			out[i] = ledger.Item{PK: "REQ#r", SK: "T#" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Data: []byte(`{}`)}
		}
		return out
	}
	tests := []struct {
		name      string
		errs      []error
		n         int
		wantCalls int
		wantErr   error
	}{
		{"250 puts in 3 transactions", nil, 250, 3, nil},
		{"a conflict is tried again", []error{cancelled("None", "TransactionConflict")}, 2, 2, nil},
		{"a failed condition is not", []error{cancelled("ConditionalCheckFailed", "None")}, 2, 1, ledger.ErrCondition},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := &transactAPI{errs: tc.errs}
			d := &ledger.Dynamo{API: api, Table: "t"}
			err := d.BatchPut(context.Background(), items(tc.n))
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if len(api.calls) != tc.wantCalls {
				t.Fatalf("%d calls, want %d", len(api.calls), tc.wantCalls)
			}
			tokens := map[string]bool{}
			for _, c := range api.calls {
				if len(c.TransactItems) > 100 || c.ClientRequestToken == nil || tokens[*c.ClientRequestToken] {
					t.Fatalf("a call of %d items, token %v (seen: %v)", len(c.TransactItems), c.ClientRequestToken, tokens)
				}
				tokens[*c.ClientRequestToken] = true
				for _, ti := range c.TransactItems {
					if ti.Put == nil || ti.Put.ConditionExpression != nil {
						t.Fatalf("BatchPut wrote %+v, want unconditional puts", ti)
					}
				}
			}
		})
	}
}
