package message

import "strings"

// ContainsFold reports whether list holds s, compared case-insensitively
// (an email address, a SCIM schema URN).
func ContainsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
