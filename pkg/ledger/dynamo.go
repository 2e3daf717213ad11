package ledger

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/revoke-dev/revoke/pkg/retry"
)

// DynamoAPI is the part of the DynamoDB client the store uses.
type DynamoAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opt ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opt ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opt ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opt ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opt ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opt ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opt ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Attribute and index names of the table (template.yaml defines them).
const (
	attrPK, attrSK     = "pk", "sk"
	attrG1PK, attrG1SK = "g1pk", "g1sk"
	attrG2PK, attrG2SK = "g2pk", "g2sk"
	attrTTL, attrVer   = "ttl", "ver"
	attrData           = "d"
	batchWriteMax      = 25
	batchGetMax        = 100
)

// Names of the table's global secondary indexes (template.yaml's
// LedgerTable). DynamoDB requires 3-255 characters of [a-zA-Z0-9_.-].
const (
	// IndexByIdentity (G1) finds items by an outside identifier: a person's
	// history by email, a SCIM user by externalId.
	IndexByIdentity = "by-identity"
	// IndexByTime (G2) lists items in time order: unqueued requests for the
	// backstop, SCIM users for paging.
	IndexByTime = "by-time"
)

// Dynamo is a Store on one DynamoDB table.
type Dynamo struct {
	API   DynamoAPI
	Table string
	Now   func() time.Time // nil: time.Now
}

var _ Store = (*Dynamo)(nil)

func (d *Dynamo) now() int64 {
	if d.Now != nil {
		return d.Now().Unix()
	}
	return time.Now().Unix()
}

func s(v string) ddb.AttributeValue { return &ddb.AttributeValueMemberS{Value: v} }
func n(v int64) ddb.AttributeValue {
	return &ddb.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func toAttrs(it Item) map[string]ddb.AttributeValue {
	m := map[string]ddb.AttributeValue{attrPK: s(it.PK), attrSK: s(it.SK), attrData: s(string(it.Data))}
	if it.G1PK != "" {
		m[attrG1PK], m[attrG1SK] = s(it.G1PK), s(it.G1SK)
	}
	if it.G2PK != "" {
		m[attrG2PK], m[attrG2SK] = s(it.G2PK), s(it.G2SK)
	}
	if it.TTL > 0 {
		m[attrTTL] = n(it.TTL)
	}
	if it.Ver != 0 {
		m[attrVer] = n(it.Ver)
	}
	return m
}

func str(m map[string]ddb.AttributeValue, k string) string {
	if v, ok := m[k].(*ddb.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func num(m map[string]ddb.AttributeValue, k string) int64 {
	if v, ok := m[k].(*ddb.AttributeValueMemberN); ok {
		i, _ := strconv.ParseInt(v.Value, 10, 64)
		return i
	}
	return 0
}

func fromAttrs(m map[string]ddb.AttributeValue) Item {
	return Item{PK: str(m, attrPK), SK: str(m, attrSK), G1PK: str(m, attrG1PK), G1SK: str(m, attrG1SK),
		G2PK: str(m, attrG2PK), G2SK: str(m, attrG2SK), TTL: num(m, attrTTL), Ver: num(m, attrVer), Data: []byte(str(m, attrData))}
}

func key(k Key) map[string]ddb.AttributeValue {
	return map[string]ddb.AttributeValue{attrPK: s(k.PK), attrSK: s(k.SK)}
}

func (d *Dynamo) live(it Item) bool { return it.TTL == 0 || it.TTL > d.now() }

// Get implements Store.
func (d *Dynamo) Get(ctx context.Context, k Key) (*Item, error) {
	out, err := d.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: &d.Table, Key: key(k), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("ledger: get: %w", err)
	}
	if out.Item == nil {
		return nil, nil
	}
	it := fromAttrs(out.Item)
	if !d.live(it) {
		return nil, nil
	}
	return &it, nil
}

// BatchGet implements Store.
func (d *Dynamo) BatchGet(ctx context.Context, keys []Key) ([]Item, error) {
	var out []Item
	for start := 0; start < len(keys); start += batchGetMax {
		var req []map[string]ddb.AttributeValue
		seen := map[Key]bool{}
		for _, k := range keys[start:min(start+batchGetMax, len(keys))] {
			if !seen[k] {
				seen[k] = true
				req = append(req, key(k))
			}
		}
		pending := map[string]ddb.KeysAndAttributes{d.Table: {Keys: req, ConsistentRead: aws.Bool(true)}}
		_, err := retry.Do(ctx, retry.AWS, func(ctx context.Context, _ int) error {
			res, err := d.API.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending})
			if err != nil {
				return fmt.Errorf("ledger: batch get: %w", err) // the SDK has retried throttling already
			}
			for _, m := range res.Responses[d.Table] {
				if it := fromAttrs(m); d.live(it) {
					out = append(out, it)
				}
			}
			if len(res.UnprocessedKeys) == 0 {
				return nil
			}
			pending = res.UnprocessedKeys
			return retry.Transient(errors.New("ledger: batch get: unprocessed keys"))
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// BatchPut implements Store.
func (d *Dynamo) BatchPut(ctx context.Context, items []Item) error {
	for start := 0; start < len(items); start += batchWriteMax {
		var reqs []ddb.WriteRequest
		for _, it := range items[start:min(start+batchWriteMax, len(items))] {
			reqs = append(reqs, ddb.WriteRequest{PutRequest: &ddb.PutRequest{Item: toAttrs(it)}})
		}
		pending := map[string][]ddb.WriteRequest{d.Table: reqs}
		_, err := retry.Do(ctx, retry.AWS, func(ctx context.Context, _ int) error {
			res, err := d.API.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return fmt.Errorf("ledger: batch write: %w", err) // the SDK has retried throttling already
			}
			if len(res.UnprocessedItems) == 0 {
				return nil
			}
			pending = res.UnprocessedItems
			return retry.Transient(errors.New("ledger: batch write: unprocessed items"))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// condition builds a write's condition expression.
func (d *Dynamo) condition(w Write) (*string, map[string]ddb.AttributeValue) {
	switch {
	case w.IfAbsent:
		return aws.String("attribute_not_exists(pk) OR (attribute_exists(#ttl) AND #ttl <= :now)"), map[string]ddb.AttributeValue{":now": n(d.now())}
	case w.IfVer != nil:
		return aws.String("attribute_exists(pk) AND #ver = :ver"), map[string]ddb.AttributeValue{":ver": n(*w.IfVer)}
	}
	return nil, nil
}

func names(cond *string, w Write) map[string]string {
	if cond == nil {
		return nil
	}
	if w.IfAbsent {
		return map[string]string{"#ttl": attrTTL}
	}
	return map[string]string{"#ver": attrVer}
}

// Write implements Store.
func (d *Dynamo) Write(ctx context.Context, writes ...Write) error {
	if len(writes) == 1 {
		return d.writeOne(ctx, writes[0])
	}
	items := make([]ddb.TransactWriteItem, len(writes))
	for i, w := range writes {
		cond, vals := d.condition(w)
		if w.Put != nil {
			items[i].Put = &ddb.Put{TableName: &d.Table, Item: toAttrs(*w.Put), ConditionExpression: cond, ExpressionAttributeValues: vals, ExpressionAttributeNames: names(cond, w)}
		} else {
			items[i].Delete = &ddb.Delete{TableName: &d.Table, Key: key(*w.Delete), ConditionExpression: cond, ExpressionAttributeValues: vals, ExpressionAttributeNames: names(cond, w)}
		}
	}
	_, err := d.API.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var tc *ddb.TransactionCanceledException
	if errors.As(err, &tc) {
		for _, r := range tc.CancellationReasons {
			if r.Code != nil && *r.Code == "ConditionalCheckFailed" {
				return ErrCondition
			}
		}
	}
	if err != nil {
		return fmt.Errorf("ledger: transaction: %w", err)
	}
	return nil
}

func (d *Dynamo) writeOne(ctx context.Context, w Write) error {
	cond, vals := d.condition(w)
	var err error
	if w.Put != nil {
		_, err = d.API.PutItem(ctx, &dynamodb.PutItemInput{TableName: &d.Table, Item: toAttrs(*w.Put), ConditionExpression: cond, ExpressionAttributeValues: vals, ExpressionAttributeNames: names(cond, w)})
	} else {
		_, err = d.API.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &d.Table, Key: key(*w.Delete), ConditionExpression: cond, ExpressionAttributeValues: vals, ExpressionAttributeNames: names(cond, w)})
	}
	var cf *ddb.ConditionalCheckFailedException
	if errors.As(err, &cf) {
		return ErrCondition
	}
	if err != nil {
		return fmt.Errorf("ledger: write: %w", err)
	}
	return nil
}

func (d *Dynamo) queryInput(q Query) (*dynamodb.QueryInput, error) {
	pkName, skName := attrPK, attrSK
	in := &dynamodb.QueryInput{TableName: &d.Table, ScanIndexForward: aws.Bool(!q.Desc)}
	switch q.Index {
	case G1:
		pkName, skName, in.IndexName = attrG1PK, attrG1SK, aws.String(IndexByIdentity)
	case G2:
		pkName, skName, in.IndexName = attrG2PK, attrG2SK, aws.String(IndexByTime)
	default:
		in.ConsistentRead = aws.Bool(true)
	}
	in.ExpressionAttributeNames = map[string]string{"#pk": pkName}
	in.ExpressionAttributeValues = map[string]ddb.AttributeValue{":pk": s(q.PK)}
	cond := "#pk = :pk"
	if q.Prefix != "" || q.Below != "" || q.Above != "" {
		in.ExpressionAttributeNames["#sk"] = skName
		switch {
		case q.Prefix != "":
			cond += " AND begins_with(#sk, :sk)"
			in.ExpressionAttributeValues[":sk"] = s(q.Prefix)
		case q.Below != "":
			cond += " AND #sk < :sk"
			in.ExpressionAttributeValues[":sk"] = s(q.Below)
		default:
			cond += " AND #sk > :sk"
			in.ExpressionAttributeValues[":sk"] = s(q.Above)
		}
	}
	in.KeyConditionExpression = &cond
	if q.Limit > 0 {
		in.Limit = aws.Int32(int32(q.Limit))
	}
	if q.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(q.Cursor)
		var m map[string]string
		if err != nil || json.Unmarshal(b, &m) != nil {
			return nil, ErrCursor
		}
		in.ExclusiveStartKey = map[string]ddb.AttributeValue{}
		for k, v := range m {
			in.ExclusiveStartKey[k] = s(v)
		}
	}
	return in, nil
}

// ErrCursor means a pagination cursor is not one this store issued.
var ErrCursor = errors.New("ledger: invalid cursor")

// Query implements Store.
func (d *Dynamo) Query(ctx context.Context, q Query) (Page, error) {
	in, err := d.queryInput(q)
	if err != nil {
		return Page{}, err
	}
	out, err := d.API.Query(ctx, in)
	if err != nil {
		return Page{}, fmt.Errorf("ledger: query: %w", err)
	}
	p := Page{Items: make([]Item, 0, len(out.Items))}
	for _, m := range out.Items {
		if it := fromAttrs(m); d.live(it) {
			p.Items = append(p.Items, it)
		}
	}
	if len(out.LastEvaluatedKey) > 0 {
		m := map[string]string{}
		for k := range out.LastEvaluatedKey {
			m[k] = str(out.LastEvaluatedKey, k)
		}
		b, _ := json.Marshal(m)
		p.Next = base64.RawURLEncoding.EncodeToString(b)
	}
	return p, nil
}

// Count implements Store.
func (d *Dynamo) Count(ctx context.Context, q Query) (int, error) {
	in, err := d.queryInput(q)
	if err != nil {
		return 0, err
	}
	in.Select = ddb.SelectCount
	in.Limit = nil
	// Expired items not yet deleted are filtered out of the count.
	in.FilterExpression = aws.String("attribute_not_exists(#ttl) OR #ttl > :now")
	in.ExpressionAttributeNames["#ttl"] = attrTTL
	in.ExpressionAttributeValues[":now"] = n(d.now())
	total := 0
	for {
		out, err := d.API.Query(ctx, in)
		if err != nil {
			return 0, fmt.Errorf("ledger: count: %w", err)
		}
		total += int(out.Count)
		if len(out.LastEvaluatedKey) == 0 {
			return total, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// TTLAttribute is the attribute the table's TTL reads (epoch seconds).
const TTLAttribute = attrTTL

// TableInput is the ledger table's definition (template.yaml declares the
// same; the integration tests create it on moto from here).
func TableInput(name string) *dynamodb.CreateTableInput {
	s := func(n string) ddb.AttributeDefinition {
		return ddb.AttributeDefinition{AttributeName: aws.String(n), AttributeType: ddb.ScalarAttributeTypeS}
	}
	keys := func(pk, sk string) []ddb.KeySchemaElement {
		return []ddb.KeySchemaElement{{AttributeName: aws.String(pk), KeyType: ddb.KeyTypeHash}, {AttributeName: aws.String(sk), KeyType: ddb.KeyTypeRange}}
	}
	all := &ddb.Projection{ProjectionType: ddb.ProjectionTypeAll}
	return &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          ddb.BillingModePayPerRequest,
		AttributeDefinitions: []ddb.AttributeDefinition{s(attrPK), s(attrSK), s(attrG1PK), s(attrG1SK), s(attrG2PK), s(attrG2SK)},
		KeySchema:            keys(attrPK, attrSK),
		GlobalSecondaryIndexes: []ddb.GlobalSecondaryIndex{
			{IndexName: aws.String(IndexByIdentity), KeySchema: keys(attrG1PK, attrG1SK), Projection: all},
			{IndexName: aws.String(IndexByTime), KeySchema: keys(attrG2PK, attrG2SK), Projection: all},
		},
	}
}
