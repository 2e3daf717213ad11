package config

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/revoke-dev/revoke/pkg/directory"
	"github.com/revoke-dev/revoke/pkg/message"
)

// Defaults of the configuration contract.
const (
	DefaultSecretPrefix        = "revoke/"
	DefaultMaxTargets          = 1000
	DefaultMaxConcurrency      = 2
	DefaultMaxReceiveCount     = 5
	DefaultLedgerRetentionDays = 400
	DefaultOktaEventTypes      = "user.lifecycle.deactivate,user.lifecycle.suspend"
	DefaultAuth0LogTypes       = "sdu"
	DefaultSecretTTL           = 5 * time.Minute
)

// Connection is one configured provider account: a name and a provider
// name. What the provider can do, and how a client is built, is the
// provider registry's to say (pkg/provider/registry), asked where a
// client is needed.
type Connection struct {
	Name     string // [a-z0-9-]{1,64} (message.CheckConnectionName)
	Provider string // a provider name, lower-cased
}

// Config is the whole environment contract. Fields a function does not use
// are simply ignored by it.
type Config struct {
	Connections         []Connection
	SecretPrefix        string
	QueueURL            string
	DLQURL              string
	APITokensSecretID   string
	SCIMTokensSecretID  string
	AuthMode            string // "" (bearer tokens) or "iam"
	MaxTargets          int
	OktaEventTypes      []string
	OktaConnections     []string // nil means every connection ("*")
	SCIMConnections     []string // nil means every connection
	SCIMRestore         bool
	TriggerConnections  []string // nil means every connection
	Auth0LogTypes       []string
	DirectorySources    []directory.Source
	AllowInsecureHTTP   bool
	MaxConcurrency      int
	MaxReceiveCount     int
	LedgerTable         string
	LedgerRetentionDays int
	DryRun              bool
	LogLevel            slog.Level

	// AllowedEmailDomains (ALLOWED_EMAIL_DOMAINS): when set, an address
	// from an identity event, the SCIM front door or a directory snapshot
	// outside these domains is never revoked or restored.
	AllowedEmailDomains message.Domains

	// OktaEventSource and Auth0EventSource are the partner event sources
	// the trigger accepts (OKTA_EVENT_SOURCE, AUTH0_EVENT_SOURCE: the
	// partner buses' names); empty accepts any of the partner's.
	OktaEventSource, Auth0EventSource string
}

// Getenv is the lookup used by Load: os.Getenv in production, a map in tests.
type Getenv func(string) string

// Load reads and validates the configuration. Provider names are checked
// for their form only: whether a provider exists is the registry's to say
// (registry.Check, which every function's init runs).
func Load(getenv Getenv) (*Config, error) {
	c := &Config{
		SecretPrefix:       orDefault(getenv("SECRET_PREFIX"), DefaultSecretPrefix),
		QueueURL:           strings.TrimSpace(getenv("QUEUE_URL")),
		DLQURL:             strings.TrimSpace(getenv("DLQ_URL")),
		APITokensSecretID:  strings.TrimSpace(getenv("API_TOKENS_SECRET_ID")),
		SCIMTokensSecretID: strings.TrimSpace(getenv("SCIM_TOKENS_SECRET_ID")),
		AuthMode:           strings.ToLower(strings.TrimSpace(getenv("AUTH_MODE"))),
		LedgerTable:        strings.TrimSpace(getenv("LEDGER_TABLE")),
		OktaEventTypes:     SplitList(orDefault(getenv("OKTA_EVENT_TYPES"), DefaultOktaEventTypes)),
		Auth0LogTypes:      SplitList(orDefault(getenv("AUTH0_LOG_TYPES"), DefaultAuth0LogTypes)),
	}
	c.OktaEventSource = strings.TrimSpace(getenv("OKTA_EVENT_SOURCE"))
	c.Auth0EventSource = strings.TrimSpace(getenv("AUTH0_EVENT_SOURCE"))
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	var err error
	c.Connections, err = ParseConnections(getenv("CONNECTIONS"))
	add(err)
	c.MaxTargets, err = positiveInt("MAX_TARGETS", getenv("MAX_TARGETS"), DefaultMaxTargets)
	add(err)
	c.MaxConcurrency, err = positiveInt("MAX_CONCURRENCY", getenv("MAX_CONCURRENCY"), DefaultMaxConcurrency)
	add(err)
	c.MaxReceiveCount, err = positiveInt("MAX_RECEIVE_COUNT", getenv("MAX_RECEIVE_COUNT"), DefaultMaxReceiveCount)
	add(err)
	c.LedgerRetentionDays, err = positiveInt("LEDGER_RETENTION_DAYS", getenv("LEDGER_RETENTION_DAYS"), DefaultLedgerRetentionDays)
	add(err)
	c.OktaConnections, err = c.connectionList("OKTA_CONNECTIONS", getenv("OKTA_CONNECTIONS"))
	add(err)
	c.SCIMConnections, err = c.connectionList("SCIM_CONNECTIONS", getenv("SCIM_CONNECTIONS"))
	add(err)
	c.TriggerConnections, err = c.connectionList("TRIGGER_CONNECTIONS", getenv("TRIGGER_CONNECTIONS"))
	add(err)
	c.DirectorySources, err = directory.ParseSources(getenv("DIRECTORY_SOURCES"))
	add(err)
	if c.AllowedEmailDomains, err = message.ParseDomains(getenv("ALLOWED_EMAIL_DOMAINS")); err != nil {
		add(fmt.Errorf("ALLOWED_EMAIL_DOMAINS: %w", err))
	}
	c.AllowInsecureHTTP, err = boolean("ALLOW_INSECURE_HTTP", getenv("ALLOW_INSECURE_HTTP"))
	add(err)
	c.DryRun, err = boolean("DRY_RUN", getenv("DRY_RUN"))
	add(err)
	c.SCIMRestore, err = boolean("SCIM_RESTORE", getenv("SCIM_RESTORE"))
	add(err)
	switch c.AuthMode {
	case "", "token", "iam":
	default:
		add(fmt.Errorf("AUTH_MODE: %q is not \"token\" or \"iam\"", c.AuthMode))
	}
	c.LogLevel, err = ParseLevel(getenv("LOG_LEVEL"))
	add(err)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return c, nil
}

// RequireLedger fails when LEDGER_TABLE is unset: a deployed function
// without its ledger would answer without a record.
func (c *Config) RequireLedger() error {
	if c.LedgerTable == "" {
		return errors.New("config: LEDGER_TABLE is required")
	}
	return nil
}

// Connection returns the configured connection called name.
func (c *Config) Connection(name string) (Connection, bool) {
	for _, cn := range c.Connections {
		if cn.Name == name {
			return cn, true
		}
	}
	return Connection{}, false
}

// Directory returns the followed directory of a type and id.
func (c *Config) Directory(typ, id string) (directory.Source, bool) {
	for _, d := range c.DirectorySources {
		if d.Type == typ && d.ID == id {
			return d, true
		}
	}
	return directory.Source{}, false
}

// SecretID is the Secrets Manager id of a connection's credentials.
func (c *Config) SecretID(connection string) string { return c.SecretPrefix + connection }

// Retention is how long ledger records live.
func (c *Config) Retention() time.Duration {
	return time.Duration(c.LedgerRetentionDays) * 24 * time.Hour
}

// connectionList parses a list of connection names; empty or "*" is nil
// (every connection).
func (c *Config) connectionList(name, v string) ([]string, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == "*" {
		return nil, nil
	}
	out := SplitList(v)
	for _, n := range out {
		if _, ok := c.Connection(n); !ok {
			return nil, fmt.Errorf("%s: %q is not in CONNECTIONS", name, n)
		}
	}
	return out, nil
}

// ParseConnections parses CONNECTIONS ("name=provider,…"). Provider names
// are lower-cased and checked for their form; registry.Check says whether
// each exists.
func ParseConnections(s string) ([]Connection, error) {
	var out []Connection
	for _, item := range SplitList(s) {
		name, prov, ok := strings.Cut(item, "=")
		name, prov = strings.TrimSpace(name), strings.ToLower(strings.TrimSpace(prov))
		switch {
		case !ok:
			return nil, fmt.Errorf("CONNECTIONS: %q is not name=provider", item)
		case message.CheckConnectionName(name) != nil:
			return nil, fmt.Errorf("CONNECTIONS: connection name %q must match [a-z0-9-]{1,64}", name)
		case message.CheckConnectionName(prov) != nil:
			return nil, fmt.Errorf("CONNECTIONS: %s: provider name %q must match [a-z0-9-]{1,64}", name, prov)
		}
		for _, c := range out {
			if c.Name == name {
				return nil, fmt.Errorf("CONNECTIONS: connection %q is listed twice", name)
			}
		}
		out = append(out, Connection{Name: name, Provider: prov})
	}
	return out, nil
}

// ParseLevel parses LOG_LEVEL; empty means info.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "info":
		return slog.LevelInfo, nil
	case "debug":
		return slog.LevelDebug, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return slog.LevelInfo, fmt.Errorf("LOG_LEVEL: %q is not debug, info, warn or error", s)
}

func boolean(name, v string) (bool, error) {
	switch s := strings.ToLower(strings.TrimSpace(v)); s {
	case "", "false", "0", "no":
		return false, nil
	case "true", "1", "yes":
		return true, nil
	}
	return false, fmt.Errorf("%s: %q is not a boolean", name, v)
}

func positiveInt(name, v string, def int) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, fmt.Errorf("%s: %q is not a positive integer", name, v)
	}
	return n, nil
}

// SplitList splits a comma-separated list, trimming each part and
// dropping empty ones.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func orDefault(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}
