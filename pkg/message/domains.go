package message

import (
	"fmt"
	"strings"
)

// MaxDomains bounds an allow-list of email domains.
const MaxDomains = 100

// Domains is a deployment's allow-list of email domains
// (ALLOWED_EMAIL_DOMAINS, docs/design.md §2): an address from an identity
// event, the SCIM front door or a directory snapshot is acted on only when
// its domain is one of them. The zero value allows every domain.
type Domains struct {
	list []string // lower-cased, without a leading "@"
}

// ParseDomains reads a comma-separated list ("corp.example,eu.corp.example").
// Empty is the zero value (every domain). A domain matches exactly (case
// aside): a subdomain must be listed on its own.
func ParseDomains(s string) (Domains, error) {
	var d Domains
	for _, p := range strings.Split(s, ",") {
		p = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(p), "@"))
		if p == "" {
			continue
		}
		if !domainName(p) || CheckEmail("x@"+p) != nil {
			return Domains{}, fmt.Errorf("%q is not a domain name like example.com", Trim(p, 64))
		}
		d.list = append(d.list, p)
	}
	if len(d.list) > MaxDomains {
		return Domains{}, fmt.Errorf("at most %d domains", MaxDomains)
	}
	return d, nil
}

// Set reports whether the list restricts anything.
func (d Domains) Set() bool { return len(d.list) > 0 }

// String is the list as configured (lower-cased).
func (d Domains) String() string { return strings.Join(d.list, ",") }

// Allows reports whether an address may be acted on: the list is empty, or
// the address's domain is on it. An address that fails CheckEmail is never
// allowed.
func (d Domains) Allows(email string) bool {
	if CheckEmail(email) != nil {
		return false
	}
	if len(d.list) == 0 {
		return true
	}
	domain := strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
	for _, a := range d.list {
		if domain == a {
			return true
		}
	}
	return false
}

// Split divides addresses into those allowed and those refused, in order.
func (d Domains) Split(emails []string) (allowed, refused []string) {
	for _, e := range emails {
		if d.Allows(e) {
			allowed = append(allowed, e)
		} else {
			refused = append(refused, e)
		}
	}
	return allowed, refused
}

// domainName: 1-253 of [a-z0-9.-] (internationalised names in their
// xn-- form), as DNS names are.
func domainName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-') }) < 0
}
