package config

import (
	"log/slog"
	"strings"
	"testing"
)

func env(m map[string]string) Getenv { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Load(env(map[string]string{"CONNECTIONS": " field-app=journeyapps, crm=Backendless ,wiki=scim"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Connections) != 3 || c.Connections[1] != (Connection{"crm", Backendless}) {
		t.Fatalf("%+v", c.Connections)
	}
	if c.SecretPrefix != "revoke/" || c.MaxTargets != 1000 || c.MaxConcurrency != 2 || c.OktaConnections != nil || c.AllowInsecureHTTP || c.LogLevel != slog.LevelInfo {
		t.Fatalf("%+v", c)
	}
	if strings.Join(c.OktaEventTypes, ",") != "user.lifecycle.deactivate,user.lifecycle.suspend" || c.SecretID("crm") != "revoke/crm" {
		t.Fatalf("%+v", c)
	}
}

func TestRejects(t *testing.T) {
	for _, m := range []map[string]string{
		{"CONNECTIONS": "Field=scim"},
		{"CONNECTIONS": "a=salesforce"},
		{"CONNECTIONS": "a"},
		{"CONNECTIONS": "a=scim,a=mendix"},
		{"CONNECTIONS": strings.Repeat("a", 65) + "=scim"},
		{"MAX_TARGETS": "0"},
		{"MAX_TARGETS": "ten"},
		{"MAX_CONCURRENCY": "-1"},
		{"ALLOW_INSECURE_HTTP": "maybe"},
		{"AUTH_MODE": "none"},
		{"LOG_LEVEL": "trace"},
		{"CONNECTIONS": "a=scim", "OKTA_CONNECTIONS": "b"},
	} {
		if _, err := Load(env(m)); err == nil {
			t.Errorf("%v accepted", m)
		}
	}
	c, err := Load(env(map[string]string{"CONNECTIONS": "a=scim,b=mendix", "OKTA_CONNECTIONS": "b", "ALLOW_INSECURE_HTTP": "true", "AUTH_MODE": "IAM", "LOG_LEVEL": "debug"}))
	if err != nil || strings.Join(c.OktaConnections, ",") != "b" || !c.AllowInsecureHTTP || c.AuthMode != "iam" || c.LogLevel != slog.LevelDebug {
		t.Fatalf("%+v %v", c, err)
	}
}
