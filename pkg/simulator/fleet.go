package simulator

import (
	"encoding/json"
	"fmt"
)

// FleetConnections is CONNECTIONS for a Fleet: one connection per provider.
const FleetConnections = "field-app=journeyapps,crm=backendless,mendix=mendix,wiki=scim"

// Sim is what every simulator offers.
type Sim interface {
	Add(users ...User)
	User(id string) (User, bool)
	Users() []User
	Stats() Stats
	FailNext(statuses ...int)
	SetOptions(Options)
	SetCredential(string)
	URL() string
	Close()
}

var (
	_ Sim = (*JourneyApps)(nil)
	_ Sim = (*Backendless)(nil)
	_ Sim = (*Mendix)(nil)
	_ Sim = (*SCIM)(nil)
)

// Fleet is one simulator of each provider behind the connections of
// FleetConnections, with the credentials their secrets carry: what the
// demo, the benchmarks and the integration, soak and end-to-end tests run
// against.
type Fleet struct {
	JA *JourneyApps // connection field-app
	BL *Backendless // connection crm
	MX *Mendix      // connection mendix
	SC *SCIM        // connection wiki
}

// Credentials the fleet's simulators start with.
const (
	fleetJAToken = "fleet-ja-token-0123456789"
	fleetBLApp   = "FLEET-APP"
	fleetBLKey   = "fleet-bl-cloudcode-key-0123456789"
	fleetMXPAT   = "fleet-mx-pat-0123456789"
	fleetSCToken = "fleet-sc-token-0123456789"
)

// StartFleet starts the four simulators; opts are keyed by provider kind.
func StartFleet(opts map[string]Options) *Fleet {
	return &Fleet{
		JA: NewJourneyApps(fleetJAToken, opts["journeyapps"]),
		BL: NewBackendless(fleetBLApp, fleetBLKey, opts["backendless"]),
		MX: NewMendix(fleetMXPAT, opts["mendix"]),
		SC: NewSCIM(fleetSCToken, opts["scim"]),
	}
}

// Close stops every simulator.
func (f *Fleet) Close() {
	for _, s := range f.all() {
		s.Close()
	}
}

func (f *Fleet) all() map[string]Sim {
	return map[string]Sim{"field-app": f.JA, "crm": f.BL, "mendix": f.MX, "wiki": f.SC}
}

// Sim is the simulator behind a connection (nil if none).
func (f *Fleet) Sim(connection string) Sim { return f.all()[connection] }

// Kind is a connection's provider kind.
func Kind(connection string) string {
	return map[string]string{"field-app": "journeyapps", "crm": "backendless", "mendix": "mendix", "wiki": "scim"}[connection]
}

// Credentials are the values a leak scan must never find.
func (f *Fleet) Credentials() []string {
	return []string{fleetJAToken, fleetBLKey, fleetMXPAT, fleetSCToken}
}

// Settings are the common secret fields (rest.Settings' JSON names).
type Settings struct {
	RatePerSecond  float64 `json:"rate_per_second,omitempty"`
	Burst          int     `json:"burst,omitempty"`
	TimeoutSeconds float64 `json:"timeout_seconds,omitempty"`
}

// Uniform gives every provider the same settings.
func Uniform(s Settings) func(kind string) Settings { return func(string) Settings { return s } }

// Secret is a connection's secret JSON, with the simulator's current
// credential (so it follows SetCredential) and the given settings.
func (f *Fleet) Secret(connection string, s Settings) string {
	fields := map[string]any{}
	switch connection {
	case "field-app":
		fields["api_url"], fields["token"] = f.JA.APIURL(), f.JA.credential()
	case "crm":
		fields["base_url"], fields["application_id"], fields["api_key"] = f.BL.URL(), f.BL.AppID, f.BL.credential()
	case "mendix":
		fields["pat"], fields["deactivation_url"], fields["identifiers_url"] = f.MX.credential(), f.MX.URL(), f.MX.URL()
	case "wiki":
		fields["base_url"], fields["token"] = f.SC.BaseURL(), f.SC.credential()
	default:
		panic(fmt.Sprintf("simulator: no connection %q in the fleet", connection))
	}
	b, _ := json.Marshal(s)
	_ = json.Unmarshal(b, &fields)
	out, _ := json.Marshal(fields)
	return string(out)
}

// Secrets are every connection's secret JSON, by connection name.
func (f *Fleet) Secrets(settings func(kind string) Settings) map[string]string {
	out := map[string]string{}
	for conn := range f.all() {
		out[conn] = f.Secret(conn, settings(Kind(conn)))
	}
	return out
}
