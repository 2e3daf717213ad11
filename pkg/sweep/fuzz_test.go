package sweep

import "testing"

func FuzzParseInput(f *testing.F) {
	f.Add([]byte(`{"dry_run":true,"redrive":{"max_messages":5},"inactive":[{"connection":"a","days":3}]}`))
	f.Add([]byte(`{"detail-type":"Scheduled Event"}`))
	f.Add([]byte(`{"backstop_only": true}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := ParseInput(b)
		if err != nil {
			return
		}
		m, a, r := in.limits()
		if m < 0 || a < 0 || r < 0 || m > maxMessagesLimit {
			t.Fatalf("limits out of range: %d %d %d", m, a, r)
		}
		if in.BackstopOnly && (in.DryRun || in.Redrive != nil || in.Inactive != nil) {
			t.Fatalf("backstop_only with other fields accepted: %s", b)
		}
	})
}
