package message

import "testing"

func TestContainsFold(t *testing.T) {
	tests := []struct {
		name string
		list []string
		s    string
		want bool
	}{
		{"empty list", nil, "a@example.com", false},
		{"same case", []string{"a@example.com"}, "a@example.com", true},
		{"other case", []string{"x@example.com", "A@Example.COM"}, "a@example.com", true},
		{"absent", []string{"b@example.com"}, "a@example.com", false},
		{"no prefix match", []string{"a@example.com"}, "a@example.co", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ContainsFold(tt.list, tt.s); got != tt.want {
				t.Errorf("ContainsFold(%q, %q) = %v, want %v", tt.list, tt.s, got, tt.want)
			}
		})
	}
}
