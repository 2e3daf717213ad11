package request

import (
	"github.com/revoke-dev/revoke/pkg/config"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider/registry"
)

// Expand checks the request against the configured connections and
// returns one target per message, with "*" expanded to every configured
// connection (every connection that can restore, for a restore). A target
// named explicitly and again through "*" is planned once, as the explicit
// one. What a provider can do comes from the registry, never from its name.
func Expand(r *Request, cfg *config.Config, reg *registry.Registry) ([]message.Target, error) {
	out := make([]message.Target, 0, len(r.Targets))
	explicit := map[[2]string]bool{} // connection, lower-cased email
	wildcards := false
	for i, t := range r.Targets {
		if err := checkName(i, t); err != nil {
			return nil, err
		}
		if t.Connection == Wildcard {
			if r.namesWipe(i) {
				return nil, fieldErr(tf(i, "wipe"), "is allowed only on a connection whose provider can wipe, not on \"*\"")
			}
			wildcards = true
			continue
		}
		c, ok := cfg.Connection(t.Connection)
		if !ok {
			return nil, fieldErr(tf(i, "connection"), "%q is not a configured connection", t.Connection)
		}
		if r.namesWipe(i) && !reg.Can(c.Provider, registry.Wipe) {
			return nil, fieldErr(tf(i, "wipe"), "is allowed only on a connection whose provider can wipe (%s is %s)", c.Name, c.Provider)
		}
		if r.Action == message.Restore && !reg.Can(c.Provider, registry.Restore) {
			if t.Fanout {
				continue // an identity event's restore skips what cannot restore, as "*" does
			}
			return nil, fieldErr(tf(i, ""), "%s (%s) cannot restore access; only revoke is supported", c.Name, c.Provider)
		}
		if t.ByEmail() && !reg.Can(c.Provider, registry.Resolve) {
			return nil, fieldErr(tf(i, "email"), "%s (%s) cannot look users up by email; give user_id", c.Name, c.Provider)
		}
		t.Connection, t.Provider, t.Fanout = c.Name, c.Provider, t.Fanout && t.ByEmail()
		if t.ByEmail() {
			explicit[[2]string{c.Name, message.NormalEmail(t.Email)}] = true
		}
		out = append(out, t)
	}
	if !wildcards {
		if len(out) == 0 {
			return nil, fieldErr("targets", "no configured connection can %s", r.Action)
		}
		return out, nil
	}
	for i, t := range r.Targets {
		if t.Connection != Wildcard {
			continue
		}
		eligible := 0
		for _, c := range cfg.Connections {
			if (r.Action == message.Restore && !reg.Can(c.Provider, registry.Restore)) || !reg.Can(c.Provider, registry.Resolve) {
				continue
			}
			eligible++
			k := [2]string{c.Name, message.NormalEmail(t.Email)}
			if explicit[k] {
				continue
			}
			explicit[k] = true
			out = append(out, message.Target{Connection: c.Name, Provider: c.Provider, Email: t.Email, Fanout: true})
		}
		if eligible == 0 {
			return nil, fieldErr(tf(i, "connection"), "\"*\" matches no configured connection that can %s", r.Action)
		}
	}
	return out, nil
}

// checkName applies the one check for a target's address and user id
// (message.CheckEmail, message.CheckUserID: nothing that may
// not reach a log) to every request, whatever its front door: Parse checks
// an API body, and Expand checks again what an identity event, the SCIM
// front door or the sweep built.
func checkName(i int, t message.Target) error {
	if t.UserID != "" {
		if err := message.CheckUserID(t.UserID); err != nil {
			return fieldErr(tf(i, "user_id"), "%v", err)
		}
	}
	if t.Email == "" {
		return nil
	}
	if err := message.CheckEmail(t.Email); err != nil {
		if !t.ByEmail() {
			return fieldErr(tf(i, "user_id"), "the address known for it: %v", err)
		}
		return fieldErr(tf(i, "email"), "%v", err)
	}
	return nil
}

// ForEvent is the request an identity event makes (the Okta hook, the
// SCIM front door, the EventBridge trigger): action on every email, on
// connections (nil: every connection, "*"), where a person without an
// account on a connection is recorded as such, not failed.
func ForEvent(action message.Action, emails, connections []string, reason string) *Request {
	r := &Request{Action: action, Reason: reason}
	for _, e := range emails {
		if connections == nil {
			r.Targets = append(r.Targets, message.Target{Connection: Wildcard, Email: e})
			continue
		}
		for _, c := range connections {
			r.Targets = append(r.Targets, message.Target{Connection: c, Email: e, Fanout: true})
		}
	}
	return r
}
