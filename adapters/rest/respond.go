package rest

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/dompet/wallet/adapters/httpapi"
)

// envelope is every REST response (SPEC §2).
type envelope struct {
	ResponseID string `json:"responseId"`
	Code       int    `json:"code"`
	Message    string `json:"message"`
	Data       any    `json:"data,omitempty"`
}

func success(indonesian bool) string {
	if indonesian {
		return "Berhasil"
	}
	return "Success"
}

// writeEnvelope writes a SPEC §2 answer and tells the request's observer
// its code.
func writeEnvelope(w http.ResponseWriter, r *http.Request, status int, e envelope) {
	httpapi.SetCode(r.Context(), strconv.Itoa(e.Code))
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"responseId":"","code":99,"message":"Internal error"}`)
	}
	if e, ok := v.(envelope); ok {
		noteResponseID(w, e.ResponseID)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
