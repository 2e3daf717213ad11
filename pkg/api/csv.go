package api

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/revoke-dev/revoke/pkg/ledger"
)

// csvHeader is the evidence export's header row (docs/design.md §1).
var csvHeader = []string{"request_id", "requested_at", "action", "source", "actor", "connection", "provider", "user_id", "email",
	"outcome", "error_code", "error_message", "http_status", "attempts", "verified", "updated_at"}

// rows are a request's targets as CSV rows. The user_id of a target named
// by email is the provider's user id of every account it resolved to,
// separated by spaces (a user id holds none).
func rows(r ledger.Request, targets []ledger.TargetStatus) [][]string {
	out := make([][]string, len(targets))
	for i, t := range targets {
		status, verified := "", ""
		if t.HTTPStatus != 0 {
			status = strconv.Itoa(t.HTTPStatus)
		}
		if t.Verified != nil {
			verified = strconv.FormatBool(*t.Verified)
		}
		userID := t.UserID
		if userID == "" {
			userID = strings.Join(t.ResolvedIDs, " ")
		}
		out[i] = []string{r.ID, r.RequestedAt.UTC().Format(time.RFC3339Nano), string(r.Action), string(r.Source), r.Actor,
			t.Connection, t.Provider, userID, t.LookupEmail(), string(t.Outcome), string(t.Code), t.Message, status,
			strconv.Itoa(t.Attempts), verified, t.UpdatedAt.UTC().Format(time.RFC3339Nano)}
	}
	return out
}

// cell neutralises a spreadsheet formula: a cell that starts with =, +, -
// or @ is prefixed with '.
func cell(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

func csvResponse(requestID string, next *string, rows [][]string) events.APIGatewayV2HTTPResponse {
	return csvTable(requestID, next, csvHeader, "revoke-evidence.csv", rows)
}

// csvTable is a CSV answer: the header row, then rows with formulas
// neutralised; X-Next-Cursor continues it.
func csvTable(requestID string, next *string, header []string, filename string, rows [][]string) events.APIGatewayV2HTTPResponse {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(header)
	for _, r := range rows {
		for i := range r {
			r[i] = cell(r[i])
		}
		_ = w.Write(r)
	}
	w.Flush()
	h := headers(requestID, "text/csv; charset=utf-8")
	h["Content-Disposition"] = `attachment; filename="` + filename + `"`
	if next != nil {
		h["X-Next-Cursor"] = *next
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: h, Body: b.String()}
}
