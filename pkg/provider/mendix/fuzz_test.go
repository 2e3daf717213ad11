package mendix

import "testing"

func FuzzParseIdentifiers(f *testing.F) {
	f.Add([]byte(`{"identifiers":[{"emailAddress":"a@example.com","uuid":"u"}],"error":null}`))
	f.Add([]byte(`{"identifiers":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ids, err := parseIdentifiers(b)
		if err != nil {
			return
		}
		for _, v := range ids {
			for _, id := range v {
				if id == "" {
					t.Fatal("empty uuid returned")
				}
			}
		}
	})
}
