package consumer

import (
	"encoding/json"

	"github.com/revoke-dev/revoke/pkg/audit"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
)

// decode parses every record and groups the good ones by connection;
// malformed or misdirected ones are settled at once.
func (c *Consumer) decode(items []*item) map[string][]*item {
	groups := map[string][]*item{}
	for _, it := range items {
		m, err := message.Decode(it.rec.Body)
		if err != nil {
			it.msg = salvage(it.rec.Body)
			it.res = permanent(provider.CodeInvalid, "malformed message: "+err.Error(), 0)
			continue
		}
		it.msg = m
		cn, ok := c.Config.Connection(m.Connection)
		switch {
		case !ok:
			it.res = permanent(provider.CodeConfig, "connection "+m.Connection+" is not configured (CONNECTIONS)", 0)
		case m.Provider != "" && m.Provider != cn.Provider:
			it.res = permanent(provider.CodeConfig, "message is for provider "+m.Provider+" but connection "+cn.Name+" is "+cn.Provider, 0)
		default:
			m.Provider = cn.Provider
			groups[cn.Name] = append(groups[cn.Name], it)
		}
	}
	return groups
}

// salvage pulls what it safely can out of a malformed body for the audit
// line and the DLQ attributes (names only, validated).
func salvage(body string) *message.Message {
	var m struct {
		RequestID  string `json:"request_id"`
		Connection string `json:"connection"`
		Provider   string `json:"provider"`
	}
	if json.Unmarshal([]byte(body), &m) != nil {
		return nil
	}
	out := &message.Message{}
	if message.CheckUserID(m.RequestID) == nil {
		out.RequestID = m.RequestID
	}
	if message.CheckUserID(m.Connection) == nil && len(m.Connection) <= 64 {
		out.Connection = m.Connection
	}
	if message.CheckUserID(m.Provider) == nil && len(m.Provider) <= 32 {
		out.Provider = m.Provider
	}
	return out
}

func permanent(code, msg string, status int) result {
	return result{outcome: audit.OutcomeDLQ, code: code, errMsg: msg, status: status}
}

// failure classifies a provider error.
func failure(err error, attempts int) result {
	e := provider.As(err)
	r := result{outcome: audit.OutcomeDLQ, code: e.Code, errMsg: e.Error(), status: e.Status, httpAttempts: attempts, auth: provider.IsAuth(err)}
	if e.Retryable() {
		r.outcome = audit.OutcomeRetry
	}
	return r
}
