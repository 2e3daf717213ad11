package config

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/revoke-dev/revoke/pkg/message"
)

func env(m map[string]string) Getenv { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Load(env(map[string]string{"CONNECTIONS": " field-app=journeyapps, crm=Backendless ,wiki=scim"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Connections) != 3 || c.Connections[1].Name != "crm" || c.Connections[1].Provider != "backendless" {
		t.Fatalf("%+v", c.Connections)
	}
	if c.SecretPrefix != "revoke/" || c.MaxTargets != 1000 || c.MaxConcurrency != 2 || c.MaxReceiveCount != 5 || c.OktaConnections != nil ||
		c.AllowInsecureHTTP || c.LogLevel != slog.LevelInfo || c.DryRun || c.SCIMRestore || c.LedgerRetentionDays != 400 {
		t.Fatalf("%+v", c)
	}
	if strings.Join(c.OktaEventTypes, ",") != "user.lifecycle.deactivate,user.lifecycle.suspend" || c.SecretID("crm") != "revoke/crm" ||
		strings.Join(c.Auth0LogTypes, ",") != "sdu" || c.Retention() != 400*24*time.Hour {
		t.Fatalf("%+v", c)
	}
	if c.RequireLedger() == nil {
		t.Fatal("a deployment without LEDGER_TABLE must not start")
	}
}

func TestRejects(t *testing.T) {
	for _, m := range []map[string]string{
		{"CONNECTIONS": "Field=scim"},
		{"CONNECTIONS": "a=sales/force"},
		{"CONNECTIONS": "a"},
		{"CONNECTIONS": "a=scim,a=mendix"},
		{"CONNECTIONS": strings.Repeat("a", 65) + "=scim"},
		{"MAX_TARGETS": "0"},
		{"MAX_TARGETS": "ten"},
		{"MAX_CONCURRENCY": "-1"},
		{"MAX_RECEIVE_COUNT": "0"},
		{"LEDGER_RETENTION_DAYS": "x"},
		{"ALLOW_INSECURE_HTTP": "maybe"},
		{"DRY_RUN": "perhaps"},
		{"SCIM_RESTORE": "2"},
		{"ALLOWED_EMAIL_DOMAINS": "corp.example,not a domain"},
		{"AUTH_MODE": "none"},
		{"LOG_LEVEL": "trace"},
		{"CONNECTIONS": "a=scim", "OKTA_CONNECTIONS": "b"},
		{"CONNECTIONS": "a=scim", "SCIM_CONNECTIONS": "b"},
		{"CONNECTIONS": "a=scim", "TRIGGER_CONNECTIONS": "b"},
		{"DIRECTORY_SOURCES": "ldap:x"},
		{"DIRECTORY_SOURCES": "identitystore:"},
		{"DIRECTORY_SOURCES": "cognito:us-east-1_a/b"},
	} {
		if _, err := Load(env(m)); err == nil {
			t.Errorf("%v accepted", m)
		}
	}
	c, err := Load(env(map[string]string{"CONNECTIONS": "a=scim,b=mendix", "OKTA_CONNECTIONS": "b", "SCIM_CONNECTIONS": "*", "ALLOW_INSECURE_HTTP": "true",
		"AUTH_MODE": "IAM", "LOG_LEVEL": "debug", "DRY_RUN": "true", "LEDGER_TABLE": "t",
		"DIRECTORY_SOURCES": "identitystore:d-1234567890, cognito:us-east-1_AbCdEf"}))
	if err != nil || strings.Join(c.OktaConnections, ",") != "b" || c.SCIMConnections != nil || !c.AllowInsecureHTTP || c.AuthMode != "iam" ||
		c.LogLevel != slog.LevelDebug || !c.DryRun || c.RequireLedger() != nil || len(c.DirectorySources) != 2 || c.DirectorySources[1].String() != "cognito:us-east-1_AbCdEf" {
		t.Fatalf("%+v %v", c, err)
	}
	if _, ok := c.Directory("identitystore", "d-1234567890"); !ok {
		t.Fatal("directory not found")
	}
}

func FuzzParseConnections(f *testing.F) {
	f.Add("field-app=journeyapps, crm=Backendless ,wiki=scim")
	f.Add("a=scim,a=mendix")
	f.Fuzz(func(t *testing.T, s string) {
		conns, err := ParseConnections(s)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, c := range conns {
			if message.CheckConnectionName(c.Name) != nil || message.CheckConnectionName(c.Provider) != nil || seen[c.Name] {
				t.Fatalf("accepted %+v from %q", c, s)
			}
			seen[c.Name] = true
		}
	})
}
