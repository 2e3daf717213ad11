package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/directory/awsdir"
	"github.com/revoke-dev/revoke/pkg/ledger"
	"github.com/revoke-dev/revoke/pkg/sweep"
)

// Snapshot is the directory snapshot scenario's result (on moto).
type Snapshot struct {
	Users          int
	Wall           time.Duration
	ListCalls      int64 // identitystore:ListUsers calls
	DynamoCalls    int64 // DynamoDB write calls (TransactWriteItems of 100 puts, PutItem)
	LedgerItems    int   // snapshot items in the ledger afterwards
	Status         string
	SetupWall      time.Duration // creating the users (not part of the sweep)
	MotoCallMillis float64       // moto's time per CreateUser, for scale
}

type countingStore struct {
	awsdir.IdentityStoreAPI
	n atomic.Int64
}

func (c *countingStore) ListUsers(ctx context.Context, in *identitystore.ListUsersInput, opt ...func(*identitystore.Options)) (*identitystore.ListUsersOutput, error) {
	c.n.Add(1)
	return c.IdentityStoreAPI.ListUsers(ctx, in, opt...)
}

type countingDynamo struct {
	ledger.DynamoAPI
	n atomic.Int64
}

func (c *countingDynamo) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opt ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	c.n.Add(1)
	return c.DynamoAPI.TransactWriteItems(ctx, in, opt...)
}

func (c *countingDynamo) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opt ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.n.Add(1)
	return c.DynamoAPI.PutItem(ctx, in, opt...)
}

// RunSnapshot creates an identity store of n users on the moto server
// ($AWS_ENDPOINT_URL) and times one sweep snapshot of it into a ledger
// table on the same server.
func RunSnapshot(ctx context.Context, n int) (*Snapshot, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	is := identitystore.NewFromConfig(cfg)
	ddb := dynamodb.NewFromConfig(cfg)
	storeID := fmt.Sprintf("d-%010d", time.Now().UnixNano()%1e10)
	table := fmt.Sprintf("revoke-bench-%d", time.Now().UnixNano())
	if _, err := ddb.CreateTable(ctx, ledger.TableInput(table)); err != nil {
		return nil, fmt.Errorf("snapshot: create table: %w", err)
	}
	defer ddb.DeleteTable(context.WithoutCancel(ctx), &dynamodb.DeleteTableInput{TableName: aws.String(table)})
	res := &Snapshot{Users: n}
	start := time.Now()
	// One at a time: moto's identity store is not safe for concurrent
	// writes (it answers 500).
	for i := range n {
		name := fmt.Sprintf("person%05d", i)
		_, err := is.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: aws.String(storeID), UserName: aws.String(name),
			DisplayName: aws.String(name), Name: &istypes.Name{GivenName: aws.String("P"), FamilyName: aws.String(name)},
			Emails: []istypes.Email{{Value: aws.String(name + "@example.com"), Type: aws.String("work"), Primary: true}}})
		if err != nil {
			return nil, fmt.Errorf("snapshot: create user %d: %w", i, err)
		}
	}
	res.SetupWall = time.Since(start)
	res.MotoCallMillis = float64(res.SetupWall.Milliseconds()) / float64(n)

	d := directory.Source{Type: directory.IdentityStore, ID: storeID}
	cs := &countingStore{IdentityStoreAPI: is}
	cd := &countingDynamo{DynamoAPI: ddb}
	l := ledger.New(&ledger.Dynamo{API: cd, Table: table}, 400*24*time.Hour)
	s := &sweep.Sweeper{Config: &config.Config{DirectorySources: []directory.Source{d}}, Ledger: l,
		Directory: &awsdir.AWS{IdentityStore: cs}, Log: audit.NewLogger(io.Discard, slog.LevelInfo)}
	start = time.Now()
	r, err := s.Handle(ctx, []byte(`{"dry_run":true,"redrive":{"max_messages":0}}`))
	res.Wall = time.Since(start)
	if err != nil {
		return nil, err
	}
	if len(r.Snapshots) != 1 {
		return nil, fmt.Errorf("snapshot: %d results", len(r.Snapshots))
	}
	res.Status = r.Snapshots[0].Status
	res.ListCalls, res.DynamoCalls = cs.n.Load(), cd.n.Load()
	if res.LedgerItems, err = l.CountDirectory(ctx, d.String()); err != nil {
		return nil, err
	}
	if res.Status != sweep.StatusOK || res.LedgerItems != n {
		return res, fmt.Errorf("snapshot: status %s, %d of %d users in the ledger", res.Status, res.LedgerItems, n)
	}
	return res, nil
}
