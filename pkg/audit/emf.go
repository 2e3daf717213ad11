package audit

import (
	"encoding/json"
	"io"
	"sort"
	"sync"
	"time"
)

// Namespace of revoke's CloudWatch metrics.
const Namespace = "revoke"

// Metrics collects counts and latencies for one invocation and writes them
// as CloudWatch Embedded Metric Format lines. Safe for concurrent use.
type Metrics struct {
	mu        sync.Mutex
	counts    map[[2]string]int    // provider, outcome → targets
	latencies map[string][]float64 // provider → call milliseconds
}

// Count adds n targets of a provider with an outcome.
func (m *Metrics) Count(provider, outcome string, n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.counts == nil {
		m.counts = map[[2]string]int{}
	}
	m.counts[[2]string{provider, outcome}] += n
}

// Latency records one provider call's duration.
func (m *Metrics) Latency(provider string, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.latencies == nil {
		m.latencies = map[string][]float64{}
	}
	if l := m.latencies[provider]; len(l) < 100 { // EMF takes at most 100 values per metric
		m.latencies[provider] = append(l, float64(d.Microseconds())/1000)
	}
}

type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

// Flush writes one EMF line per provider/outcome pair and per provider's
// latencies, and resets the collector.
func (m *Metrics) Flush(w io.Writer, now time.Time) {
	m.mu.Lock()
	counts, lats := m.counts, m.latencies
	m.counts, m.latencies = nil, nil
	m.mu.Unlock()
	keys := make([][2]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	enc := json.NewEncoder(w)
	for _, k := range keys {
		_ = enc.Encode(map[string]any{
			"_aws": map[string]any{"Timestamp": now.UnixMilli(), "CloudWatchMetrics": []emfDirective{{
				Namespace: Namespace, Dimensions: [][]string{{"provider", "outcome"}}, Metrics: []emfMetric{{Name: "targets", Unit: "Count"}},
			}}},
			"provider": k[0], "outcome": k[1], "targets": counts[k],
		})
	}
	provs := make([]string, 0, len(lats))
	for p := range lats {
		provs = append(provs, p)
	}
	sort.Strings(provs)
	for _, p := range provs {
		_ = enc.Encode(map[string]any{
			"_aws": map[string]any{"Timestamp": now.UnixMilli(), "CloudWatchMetrics": []emfDirective{{
				Namespace: Namespace, Dimensions: [][]string{{"provider"}}, Metrics: []emfMetric{{Name: "provider_call_ms", Unit: "Milliseconds"}},
			}}},
			"provider": p, "provider_call_ms": lats[p],
		})
	}
}

// Emit writes one EMF line with a single count metric, published both by
// its dimensions and without any (so one alarm covers every value).
func Emit(w io.Writer, now time.Time, metric string, dims map[string]string, value int) {
	names := make([]string, 0, len(dims))
	for k := range dims {
		names = append(names, k)
	}
	sort.Strings(names)
	line := map[string]any{
		"_aws": map[string]any{"Timestamp": now.UnixMilli(), "CloudWatchMetrics": []emfDirective{{
			Namespace: Namespace, Dimensions: [][]string{names, {}}, Metrics: []emfMetric{{Name: metric, Unit: "Count"}},
		}}},
		metric: value,
	}
	for k, v := range dims {
		line[k] = v
	}
	_ = json.NewEncoder(w).Encode(line)
}
