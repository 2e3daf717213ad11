package request

import (
	"time"

	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/message"
)

// Meta is what the API knows about a request besides its body.
type Meta struct {
	RequestID   string
	Source      string // "api", "okta", "sweep"
	RequestedAt time.Time
}

// CanRestore reports whether a provider supports restore.
func CanRestore(provider string) bool { return provider != config.Mendix }

// Expand checks the request against the configured connections and returns
// one message per target, with "*" expanded to every configured connection
// (every connection that can restore, for a restore). A target named
// explicitly and again through "*" is enqueued once, as the explicit one.
func Expand(r *Request, cfg *config.Config, meta Meta) ([]message.Message, error) {
	msgs := make([]message.Message, 0, len(r.Targets))
	base := message.Message{
		V:           message.Version,
		RequestID:   meta.RequestID,
		Action:      r.Action,
		Reason:      r.Reason,
		Source:      meta.Source,
		RequestedAt: meta.RequestedAt.UTC(),
	}
	// explicit holds the emails named on a connection, for "*" de-duplication.
	var explicit map[[2]string]bool
	wildcards := false
	for i, t := range r.Targets {
		if t.Connection == Wildcard {
			if t.Wipe != nil {
				return nil, fieldErr(tf(i, "wipe"), "is allowed only on a journeyapps connection, not on \"*\"")
			}
			wildcards = true
			continue
		}
		c, ok := cfg.Connection(t.Connection)
		if !ok {
			return nil, fieldErr(tf(i, "connection"), "%q is not a configured connection", t.Connection)
		}
		if t.Wipe != nil && c.Provider != config.JourneyApps {
			return nil, fieldErr(tf(i, "wipe"), "is allowed only on a journeyapps connection (%s is %s)", c.Name, c.Provider)
		}
		if r.Action == message.Restore && !CanRestore(c.Provider) {
			return nil, fieldErr(tf(i, ""), "%s (%s) cannot restore access; only revoke is supported", c.Name, c.Provider)
		}
		m := base
		m.Connection, m.Provider, m.UserID, m.Email = c.Name, c.Provider, t.UserID, t.Email
		m.Wipe = t.Wipe != nil && *t.Wipe
		msgs = append(msgs, m)
	}
	if !wildcards {
		return msgs, nil
	}
	explicit = make(map[[2]string]bool)
	for _, m := range msgs {
		if m.Email != "" {
			explicit[[2]string{m.Connection, m.Email}] = true
		}
	}
	for i, t := range r.Targets {
		if t.Connection != Wildcard {
			continue
		}
		eligible := 0
		for _, c := range cfg.Connections {
			if r.Action == message.Restore && !CanRestore(c.Provider) {
				continue
			}
			eligible++
			k := [2]string{c.Name, t.Email}
			if explicit[k] {
				continue
			}
			explicit[k] = true
			m := base
			m.Connection, m.Provider, m.Email, m.Fanout = c.Name, c.Provider, t.Email, true
			msgs = append(msgs, m)
		}
		if eligible == 0 {
			return nil, fieldErr(tf(i, "connection"), "\"*\" matches no configured connection that can %s", r.Action)
		}
	}
	return msgs, nil
}
