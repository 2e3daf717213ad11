package simulator

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Sim is what every simulator offers.
type Sim interface {
	Add(users ...User)
	User(id string) (User, bool)
	Users() []User
	Stats() Stats
	FailNext(statuses ...int)
	SetOptions(Options)
	SetCredential(string)
	// SecretFields are the provider fields of a connection secret pointing
	// at this simulator, with its current credential.
	SecretFields() map[string]any
	URL() string
	Close()
}

var (
	_ Sim = (*JourneyApps)(nil)
	_ Sim = (*Backendless)(nil)
	_ Sim = (*Mendix)(nil)
	_ Sim = (*SCIM)(nil)
)

// Starters start a simulator of each provider kind of the registry with a
// credential: the one place a kind meets its simulator (a test checks that
// every registry kind has one).
var Starters = map[string]func(cred string, o Options) Sim{
	"journeyapps": func(c string, o Options) Sim { return NewJourneyApps(c, o) },
	"backendless": func(c string, o Options) Sim { return NewBackendless("FLEET-APP", c, o) },
	"mendix":      func(c string, o Options) Sim { return NewMendix(c, o) },
	"scim":        func(c string, o Options) Sim { return NewSCIM(c, o) },
}

// member is one connection of the fleet.
type member struct{ conn, kind string }

// fleet is the fleet's connections, one per provider kind.
var fleet = []member{{"field-app", "journeyapps"}, {"crm", "backendless"}, {"mendix", "mendix"}, {"wiki", "scim"}}

// FleetConnections is CONNECTIONS for a Fleet.
func FleetConnections() string {
	parts := make([]string, len(fleet))
	for i, m := range fleet {
		parts[i] = m.conn + "=" + m.kind
	}
	return strings.Join(parts, ",")
}

// Fleet is one simulator of each provider behind the connections of
// FleetConnections, with the credentials their secrets carry: what the
// demo, the benchmarks and the integration, soak and end-to-end tests run
// against.
type Fleet struct {
	JA   *JourneyApps // connection field-app
	BL   *Backendless // connection crm
	MX   *Mendix      // connection mendix
	SC   *SCIM        // connection wiki
	sims map[string]Sim
	kind map[string]string
}

// StartFleet starts the simulators; opts are keyed by provider kind.
func StartFleet(opts map[string]Options) *Fleet {
	f := &Fleet{sims: map[string]Sim{}, kind: map[string]string{}}
	for _, m := range fleet {
		f.sims[m.conn] = Starters[m.kind]("fleet-"+m.kind+"-credential-0123456789", opts[m.kind])
		f.kind[m.conn] = m.kind
	}
	f.JA, f.BL, f.MX, f.SC = f.sims["field-app"].(*JourneyApps), f.sims["crm"].(*Backendless), f.sims["mendix"].(*Mendix), f.sims["wiki"].(*SCIM)
	return f
}

// Close stops every simulator.
func (f *Fleet) Close() {
	for _, s := range f.sims {
		s.Close()
	}
}

// Sim is the simulator behind a connection (nil if none).
func (f *Fleet) Sim(connection string) Sim { return f.sims[connection] }

// Kind is a fleet connection's provider kind.
func (f *Fleet) Kind(connection string) string { return f.kind[connection] }

// Credentials are the values a leak scan must never find.
func (f *Fleet) Credentials() []string {
	var out []string
	for _, s := range f.sims {
		for k, v := range s.SecretFields() {
			if str, ok := v.(string); ok && (k == "token" || k == "api_key" || k == "pat") {
				out = append(out, str)
			}
		}
	}
	return out
}

// Settings are the common secret fields (rest.Settings' JSON names).
type Settings struct {
	RatePerSecond  float64 `json:"rate_per_second,omitempty"`
	Burst          int     `json:"burst,omitempty"`
	TimeoutSeconds float64 `json:"timeout_seconds,omitempty"`
	Verify         *bool   `json:"verify,omitempty"`
}

// Uniform gives every provider the same settings.
func Uniform(s Settings) func(kind string) Settings { return func(string) Settings { return s } }

// Secret is a connection's secret JSON: the simulator's fields (following
// SetCredential) with the given settings.
func (f *Fleet) Secret(connection string, s Settings) string {
	sim, ok := f.sims[connection]
	if !ok {
		panic(fmt.Sprintf("simulator: no connection %q in the fleet", connection))
	}
	return SecretJSON(sim, s)
}

// SecretJSON is a simulator's connection secret with settings.
func SecretJSON(sim Sim, s Settings) string {
	fields := sim.SecretFields()
	b, _ := json.Marshal(s)
	_ = json.Unmarshal(b, &fields)
	out, _ := json.Marshal(fields)
	return string(out)
}

// Secrets are every connection's secret JSON, by connection name.
func (f *Fleet) Secrets(settings func(kind string) Settings) map[string]string {
	out := map[string]string{}
	for conn := range f.sims {
		out[conn] = f.Secret(conn, settings(f.kind[conn]))
	}
	return out
}
