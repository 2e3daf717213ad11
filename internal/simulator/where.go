package simulator

import (
	"errors"
	"strconv"
	"strings"
)

// parseWhere understands the slice of Backendless' where syntax revoke and
// its tests use: comparisons (= != < <= > >=) of a column with a number or
// a 'quoted' string (” escapes a quote), IS NULL and IS NOT NULL (a
// column that is null or absent), AND, OR and parentheses.
func parseWhere(s string) (func(map[string]any) bool, error) {
	if strings.TrimSpace(s) == "" {
		return func(map[string]any) bool { return true }, nil
	}
	p := &whereParser{s: s}
	f, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.skip(); p.i != len(p.s) {
		return nil, errors.New("unexpected " + strconv.Quote(p.s[p.i:]))
	}
	return f, nil
}

type whereParser struct {
	s string
	i int
}

func (p *whereParser) skip() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *whereParser) keyword(k string) bool {
	p.skip()
	if len(p.s)-p.i > len(k) && strings.EqualFold(p.s[p.i:p.i+len(k)], k) && p.s[p.i+len(k)] == ' ' {
		p.i += len(k)
		return true
	}
	return false
}

func (p *whereParser) or() (func(map[string]any) bool, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.keyword("OR") {
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(m map[string]any) bool { return a(m) || b(m) }
	}
	return l, nil
}

func (p *whereParser) and() (func(map[string]any) bool, error) {
	l, err := p.term()
	if err != nil {
		return nil, err
	}
	for p.keyword("AND") {
		r, err := p.term()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(m map[string]any) bool { return a(m) && b(m) }
	}
	return l, nil
}

func (p *whereParser) term() (func(map[string]any) bool, error) {
	p.skip()
	if p.i < len(p.s) && p.s[p.i] == '(' {
		p.i++
		f, err := p.or()
		if err != nil {
			return nil, err
		}
		p.skip()
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return nil, errors.New("missing )")
		}
		p.i++
		return f, nil
	}
	start := p.i
	for p.i < len(p.s) && (isIdent(p.s[p.i])) {
		p.i++
	}
	col := p.s[start:p.i]
	if col == "" {
		return nil, errors.New("column expected")
	}
	if p.keyword("IS") {
		return p.isNull(col)
	}
	p.skip()
	var op string
	for _, o := range []string{"<=", ">=", "!=", "=", "<", ">"} {
		if strings.HasPrefix(p.s[p.i:], o) {
			op = o
			p.i += len(o)
			break
		}
	}
	if op == "" {
		return nil, errors.New("operator expected after " + col)
	}
	p.skip()
	if p.i < len(p.s) && p.s[p.i] == '\'' {
		var b strings.Builder
		p.i++
		for {
			if p.i >= len(p.s) {
				return nil, errors.New("unterminated string")
			}
			c := p.s[p.i]
			p.i++
			if c == '\'' {
				if p.i < len(p.s) && p.s[p.i] == '\'' {
					b.WriteByte('\'')
					p.i++
					continue
				}
				break
			}
			b.WriteByte(c)
		}
		lit := b.String()
		return func(m map[string]any) bool {
			// Backendless compares strings without regard to case (its
			// database's collation).
			v, ok := m[col].(string)
			return ok && compare(strings.Compare(strings.ToLower(v), strings.ToLower(lit)), op)
		}, nil
	}
	start = p.i
	for p.i < len(p.s) && (p.s[p.i] == '-' || p.s[p.i] == '.' || (p.s[p.i] >= '0' && p.s[p.i] <= '9')) {
		p.i++
	}
	n, err := strconv.ParseFloat(p.s[start:p.i], 64)
	if err != nil {
		return nil, errors.New("value expected after " + col + " " + op)
	}
	return func(m map[string]any) bool {
		var v float64
		switch x := m[col].(type) {
		case int64:
			v = float64(x)
		case float64:
			v = x
		default:
			return false
		}
		c := 0
		if v < n {
			c = -1
		} else if v > n {
			c = 1
		}
		return compare(c, op)
	}, nil
}

// isNull parses the rest of "col IS [NOT] NULL": Backendless matches a
// column with no value (null, or absent from the row).
func (p *whereParser) isNull(col string) (func(map[string]any) bool, error) {
	not := p.keyword("NOT")
	p.skip()
	if len(p.s)-p.i < 4 || !strings.EqualFold(p.s[p.i:p.i+4], "NULL") || len(p.s)-p.i > 4 && isIdent(p.s[p.i+4]) {
		return nil, errors.New("NULL expected after " + col + " IS")
	}
	p.i += 4
	return func(m map[string]any) bool { return (m[col] == nil) != not }, nil
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func compare(c int, op string) bool {
	switch op {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}
