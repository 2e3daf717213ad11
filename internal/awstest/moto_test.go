package awstest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/revoke-dev/revoke/internal/awstest"
)

// TestMotoEnforcesIAM: on a private moto server with enforcement on, the
// Go SDK's SigV4 signatures pass moto's check for every service revoke
// uses, a user's policy allows what it names and nothing else, and SQS
// checks the queue's real ARN.
func TestMotoEnforcesIAM(t *testing.T) {
	m := awstest.StartMoto(t)
	admin := m.Env(t, m.Admin(t))
	ctx := context.Background()
	q, err := admin.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("allowed")})
	if err != nil {
		t.Fatal(err)
	}
	other, err := admin.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("other")})
	if err != nil {
		t.Fatal(err)
	}
	user := m.Env(t, m.CreateUser(t, "fn", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:123456789012:allowed"},
		{"Effect":"Allow","Action":["dynamodb:ListTables","secretsmanager:ListSecrets","identitystore:ListUsers","cognito-idp:ListUserPools"],"Resource":"*"}]}`))
	m.Enforce(t)
	// moto answers a denial with IAM's XML error even to JSON protocols,
	// so the SDK reports it as a 403 it could not decode.
	denied := func(err error) bool { return err != nil && strings.Contains(err.Error(), "StatusCode: 403") }
	tests := []struct {
		name       string
		call       func() error
		wantDenied bool
	}{
		{"sqs allowed queue", func() error {
			_, err := user.SQS.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("x")})
			return err
		}, false},
		{"sqs other queue", func() error {
			_, err := user.SQS.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: other.QueueUrl, MessageBody: aws.String("x")})
			return err
		}, true},
		{"sqs action not granted", func() error {
			_, err := user.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl})
			return err
		}, true},
		{"dynamodb", func() error { _, err := user.Dynamo.ListTables(ctx, &dynamodb.ListTablesInput{}); return err }, false},
		{"dynamodb not granted", func() error {
			_, err := user.Dynamo.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("t")})
			return err
		}, true},
		{"secretsmanager", func() error { _, err := user.Secrets.ListSecrets(ctx, &secretsmanager.ListSecretsInput{}); return err }, false},
		{"secretsmanager not granted", func() error {
			_, err := user.Secrets.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")})
			return err
		}, true},
		{"identitystore", func() error {
			_, err := user.IdentityStore.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String("d-9067642ac7")})
			return err
		}, false},
		{"identitystore not granted", func() error {
			_, err := user.IdentityStore.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String("d-9067642ac7"), UserId: aws.String("u")})
			return err
		}, true},
		{"cognito", func() error {
			_, err := user.Cognito.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})
			return err
		}, false},
		{"cognito not granted", func() error {
			_, err := user.Cognito.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String("us-east-1_x")})
			return err
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if tc.wantDenied != denied(err) {
				t.Fatalf("err = %v, want denied %v", err, tc.wantDenied)
			}
			if !tc.wantDenied && err != nil {
				t.Fatalf("err = %v", err)
			}
		})
	}
}
