package snap

import "github.com/dompet/wallet/adapters/apidoc"

// Security scheme names of the SNAP door in the OpenAPI document.
const (
	secBearer    = "snapBearer"
	secClientKey = "snapClientKey"
	secPartner   = "snapPartnerId"
	secTimestamp = "snapTimestamp"
	secSignature = "snapSignature"
	secExternal  = "snapExternalId"
	secChannel   = "snapChannelId"
)

// OpenAPI describes the SNAP door for /openapi.json: every service the
// router serves (the list is the router's own, so neither can drift), the
// common answer head and the headers of SNAP.md §1–2.
func OpenAPI() apidoc.Part {
	var s Server
	ops := []apidoc.Operation{{
		Method: "POST", Path: Prefix + "/access-token/b2b", ID: "snapAccessTokenB2B", Tag: "SNAP",
		Summary:     "Service 73: B2B access token (expiresIn \"900\")",
		Description: `Body {"grantType":"client_credentials"}. X-SIGNATURE = base64(SHA256withRSA(private key, clientId + "|" + X-TIMESTAMP)), verified with the key registered by wallet partner create --snap-public-key.`,
		Security:    []string{secClientKey, secTimestamp, secSignature},
		Responses:   map[string]string{"200": "SNAPAnswer", "default": "SNAPAnswer"},
	}}
	for _, svc := range s.services() {
		summary := "Service " + svc.code
		if svc.customerField != "" {
			summary += "; the customer is named by " + svc.customerField + " (mobile number)"
		}
		ops = append(ops, apidoc.Operation{
			Method: "POST", Path: Prefix + "/" + svc.path, ID: "snap" + svc.code, Tag: "SNAP", Summary: summary,
			Description: "Request and answer fields as SNAP.md §4; amounts are {\"value\":\"10000.00\",\"currency\":\"IDR\"}. " +
				"responseCode = HTTP status + service code " + svc.code + " + case code.",
			Security:  []string{secBearer, secPartner, secTimestamp, secSignature, secExternal, secChannel},
			Responses: map[string]string{"200": "SNAPAnswer", "202": "SNAPAnswer", "default": "SNAPAnswer"},
		})
	}
	return apidoc.Part{
		Operations: ops,
		Schemas: map[string]any{
			"SNAPAnswer": map[string]any{
				"type": "object", "required": []string{"responseCode", "responseMessage"},
				"properties": map[string]any{
					"responseCode":    map[string]any{"type": "string", "pattern": "^[0-9]{7}$", "description": "HTTP status (3) + service code (2) + case code (2), SNAP.md §3."},
					"responseMessage": map[string]any{"type": "string", "maxLength": 150},
				},
				"additionalProperties": true,
			},
		},
		SecuritySchemes: map[string]any{
			secBearer:    map[string]any{"type": "http", "scheme": "bearer", "description": "The B2B token of service 73."},
			secClientKey: apiKey("X-CLIENT-KEY", "The partner id (SNAP client id)."),
			secPartner:   apiKey("X-PARTNER-ID", "The partner id; the token must belong to it."),
			secTimestamp: apiKey("X-TIMESTAMP", "ISO 8601 with offset, within ±300 s."),
			secSignature: apiKey("X-SIGNATURE", "base64(HMAC-SHA512(client secret, POST:path:token:hex(SHA-256(minified body)):X-TIMESTAMP)); on service 73 the RSA signature."),
			secExternal:  apiKey("X-EXTERNAL-ID", "Unique per partner per WIB day: same body replays, another body answers 409xx00."),
			secChannel:   apiKey("CHANNEL-ID", "Up to 5 characters."),
		},
		Tags: []map[string]any{{"name": "SNAP", "description": "The SNAP BI door under /snap/v1.0 (ADR 0007)."}},
	}
}

func apiKey(name, desc string) map[string]any {
	return map[string]any{"type": "apiKey", "in": "header", "name": name, "description": desc}
}
