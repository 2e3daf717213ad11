package consumer

import (
	"encoding/json"
	"strconv"

	"github.com/revoke-dev/revoke/pkg/clients"
	"github.com/revoke-dev/revoke/pkg/message"
	"github.com/revoke-dev/revoke/pkg/provider"
)

// result is where an item ends.
type result struct {
	outcome      message.Outcome
	code         message.Code // error code (retrying and failed)
	errMsg       string
	status       int
	httpAttempts int
	auth         bool  // a 401/403: worth one secret refresh
	verified     *bool // read back and seen in the asked state (nil: not read)
	resolved     []string
	last         message.Code // exhausted: the last error's code (last_error_code)
	shown        string       // an address the provider showed for a user_id target (checked)
	refused      string       // an address the provider showed that failed the check (quoted, cut)
	proof        []string     // changed: the accounts its read-back will read
	proofOf      message.Outcome
}

func permanent(code message.Code, msg string, status int) result {
	return result{outcome: message.Failed, code: code, errMsg: msg, status: status}
}

// failure classifies a provider error: retryable ones are retried,
// everything else goes to the DLQ.
func failure(err error, attempts int) result {
	e := provider.As(err)
	r := result{outcome: message.Failed, code: e.Code, errMsg: e.Error(), status: e.Status, httpAttempts: attempts, auth: provider.IsAuth(err)}
	if e.Retryable() {
		r.outcome = message.Retrying
	}
	return r
}

func unverified(msg string) result {
	return result{outcome: message.Retrying, code: message.CodeUnverified, errMsg: msg}
}

// decode parses every record and groups the good ones by connection;
// malformed or misdirected ones are settled at once.
func (c *Consumer) decode(items []*item) map[string][]*item {
	groups := map[string][]*item{}
	for _, it := range items {
		if v := it.rec.MessageAttributes[message.AttrRedriveCount].StringValue; v != nil {
			it.redrive, _ = strconv.Atoi(*v)
		}
		m, err := message.Decode(it.rec.Body)
		if err != nil {
			it.msg = salvage(it.rec.Body)
			it.res = permanent(message.CodeInvalid, "malformed message: "+err.Error(), 0)
			continue
		}
		it.msg = m
		cn, ok := c.Config.Connection(m.Connection)
		switch {
		case !ok:
			it.res = permanent(message.CodeConfig, "connection "+m.Connection+" is not configured (CONNECTIONS)", 0)
		case m.Provider != "" && m.Provider != cn.Provider:
			it.res = permanent(message.CodeConfig, "message is for provider "+m.Provider+" but connection "+cn.Name+" is "+cn.Provider, 0)
		default:
			m.Provider = cn.Provider
			groups[cn.Name] = append(groups[cn.Name], it)
		}
	}
	return groups
}

// salvage pulls what it safely can out of a malformed body for the audit
// line and the DLQ attributes (names only, validated). It is no target:
// the ledger cannot record it.
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
	if message.IsID(m.RequestID) {
		out.RequestID = m.RequestID
	}
	if message.CheckConnectionName(m.Connection) == nil {
		out.Connection = m.Connection
	}
	if message.CheckConnectionName(m.Provider) == nil && len(m.Provider) <= 32 {
		out.Provider = m.Provider
	}
	return out
}

// awaitsProof: the change was accepted (or found already made) and no
// read-back has settled it yet.
func (r result) awaitsProof() bool {
	return (r.outcome == message.Done || r.outcome == message.Already) && r.verified == nil
}

// secretFailure: how a failure to build the connection's client counts
// (clients.Classify): an unusable secret a permanent config failure, a
// Secrets Manager outage or refusal retried.
func secretFailure(err error) result { return failure(clients.Classify("consumer", err), 0) }
