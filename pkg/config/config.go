package config

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Provider kinds revoke knows how to talk to.
const (
	JourneyApps = "journeyapps"
	Backendless = "backendless"
	Mendix      = "mendix"
	SCIM        = "scim"
)

// Providers lists every supported provider kind.
var Providers = []string{JourneyApps, Backendless, Mendix, SCIM}

// Defaults of the configuration contract.
const (
	DefaultSecretPrefix   = "revoke/"
	DefaultMaxTargets     = 1000
	DefaultMaxConcurrency = 2
	DefaultOktaEventTypes = "user.lifecycle.deactivate,user.lifecycle.suspend"
	DefaultSecretTTL      = 5 * time.Minute
)

// validName reports whether s matches [a-z0-9-]{1,64}.
func validName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Connection is one configured provider account.
type Connection struct {
	Name     string // [a-z0-9-]{1,64}
	Provider string // one of Providers
}

// Config is the whole environment contract. Fields a function does not use
// are simply ignored by it.
type Config struct {
	Connections       []Connection
	SecretPrefix      string
	QueueURL          string
	DLQURL            string
	APITokensSecretID string
	AuthMode          string // "" (bearer tokens) or "iam"
	MaxTargets        int
	OktaEventTypes    []string
	OktaConnections   []string // nil means every connection ("*")
	AllowInsecureHTTP bool
	MaxConcurrency    int
	LogLevel          slog.Level
}

// Getenv is the lookup used by Load: os.Getenv in production, a map in tests.
type Getenv func(string) string

// Load reads and validates the configuration.
func Load(getenv Getenv) (*Config, error) {
	c := &Config{
		SecretPrefix:      orDefault(getenv("SECRET_PREFIX"), DefaultSecretPrefix),
		QueueURL:          strings.TrimSpace(getenv("QUEUE_URL")),
		DLQURL:            strings.TrimSpace(getenv("DLQ_URL")),
		APITokensSecretID: strings.TrimSpace(getenv("API_TOKENS_SECRET_ID")),
		AuthMode:          strings.ToLower(strings.TrimSpace(getenv("AUTH_MODE"))),
	}
	var errs []error
	var err error
	if c.Connections, err = ParseConnections(getenv("CONNECTIONS")); err != nil {
		errs = append(errs, err)
	}
	if c.MaxTargets, err = positiveInt("MAX_TARGETS", getenv("MAX_TARGETS"), DefaultMaxTargets); err != nil {
		errs = append(errs, err)
	}
	if c.MaxConcurrency, err = positiveInt("MAX_CONCURRENCY", getenv("MAX_CONCURRENCY"), DefaultMaxConcurrency); err != nil {
		errs = append(errs, err)
	}
	c.OktaEventTypes = splitList(orDefault(getenv("OKTA_EVENT_TYPES"), DefaultOktaEventTypes))
	if oc := strings.TrimSpace(getenv("OKTA_CONNECTIONS")); oc != "" && oc != "*" {
		c.OktaConnections = splitList(oc)
		for _, n := range c.OktaConnections {
			if _, ok := c.Connection(n); !ok {
				errs = append(errs, fmt.Errorf("OKTA_CONNECTIONS: %q is not in CONNECTIONS", n))
			}
		}
	}
	switch v := strings.ToLower(strings.TrimSpace(getenv("ALLOW_INSECURE_HTTP"))); v {
	case "", "false", "0", "no":
	case "true", "1", "yes":
		c.AllowInsecureHTTP = true
	default:
		errs = append(errs, fmt.Errorf("ALLOW_INSECURE_HTTP: %q is not a boolean", v))
	}
	switch c.AuthMode {
	case "", "token", "iam":
	default:
		errs = append(errs, fmt.Errorf("AUTH_MODE: %q is not \"iam\"", c.AuthMode))
	}
	if c.LogLevel, err = ParseLevel(getenv("LOG_LEVEL")); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return c, nil
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

// SecretID is the Secrets Manager id of a connection's credentials.
func (c *Config) SecretID(connection string) string { return c.SecretPrefix + connection }

// ParseConnections parses CONNECTIONS ("name=provider,…").
func ParseConnections(s string) ([]Connection, error) {
	var out []Connection
	for _, item := range splitList(s) {
		name, prov, ok := strings.Cut(item, "=")
		name, prov = strings.TrimSpace(name), strings.ToLower(strings.TrimSpace(prov))
		switch {
		case !ok:
			return nil, fmt.Errorf("CONNECTIONS: %q is not name=provider", item)
		case !validName(name):
			return nil, fmt.Errorf("CONNECTIONS: connection name %q must match [a-z0-9-]{1,64}", name)
		case !slices.Contains(Providers, prov):
			return nil, fmt.Errorf("CONNECTIONS: %s: unknown provider %q (want one of %s)", name, prov, strings.Join(Providers, ", "))
		case slices.ContainsFunc(out, func(c Connection) bool { return c.Name == name }):
			return nil, fmt.Errorf("CONNECTIONS: connection %q is listed twice", name)
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

func splitList(s string) []string {
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
