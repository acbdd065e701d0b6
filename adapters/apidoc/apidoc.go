// Package apidoc writes the OpenAPI 3.1 document of the HTTP doors and
// serves it at /openapi.json. Each door describes itself as a Part (its
// operations, webhooks, schemas and security schemes); this package puts
// the parts together, so a new door (SNAP) is one more Part where the
// document is built. Request schemas are read from the doors' request
// structs (json and validate tags), so they cannot drift from the code.
package apidoc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
)

// Param is a query parameter.
type Param struct {
	Name, Description string
	Required          bool
	Enum              []string
}

// Operation is one method on one path.
type Operation struct {
	Method               string // GET, POST
	Path                 string // as documented, e.g. "/wallet-payment/"
	ID                   string // operationId
	Summary, Description string
	Tag                  string
	// Request is a value of the request body's struct; nil when there is
	// no body.
	Request any
	Query   []Param
	// Security names security schemes that must all be present.
	Security []string
	// Responses maps an HTTP status ("200", "202", "default") to a schema
	// name in components.schemas.
	Responses map[string]string
}

// Webhook is a request the platform sends to a partner.
type Webhook struct {
	Name, Summary, Description string
	Payload                    any // a value of the payload struct
	Security                   []string
}

// Part is what one door contributes.
type Part struct {
	Operations      []Operation
	Webhooks        []Webhook
	Schemas         map[string]any // JSON Schema 2020-12 objects by name
	SecuritySchemes map[string]any
	Tags            []map[string]any
}

// Info heads the document.
type Info struct {
	Title, Version, Description string
}

// Schemer lets a request field type state its own schema (money accepts a
// string of digits or an integer).
type Schemer interface {
	OpenAPISchema() map[string]any
}

// Build returns the document as JSON.
func Build(info Info, parts ...Part) ([]byte, error) {
	paths := map[string]map[string]any{}
	webhooks := map[string]any{}
	schemas := map[string]any{}
	security := map[string]any{}
	var tags []map[string]any
	for _, p := range parts {
		for k, v := range p.Schemas {
			schemas[k] = v
		}
		for k, v := range p.SecuritySchemes {
			security[k] = v
		}
		tags = append(tags, p.Tags...)
		for _, op := range p.Operations {
			item := paths[op.Path]
			if item == nil {
				item = map[string]any{}
				paths[op.Path] = item
			}
			m := strings.ToLower(op.Method)
			if _, dup := item[m]; dup {
				return nil, fmt.Errorf("apidoc: %s %s described twice", op.Method, op.Path)
			}
			o, err := operation(op)
			if err != nil {
				return nil, err
			}
			item[m] = o
		}
		for _, w := range p.Webhooks {
			body, err := SchemaOf(reflect.TypeOf(w.Payload))
			if err != nil {
				return nil, err
			}
			webhooks[w.Name] = map[string]any{"post": map[string]any{
				"summary": w.Summary, "description": w.Description, "operationId": "webhook_" + w.Name,
				"security":    requirement(w.Security),
				"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": body}}},
				"responses":   map[string]any{"200": map[string]any{"description": "Any 2xx ends the delivery; anything else is retried with backoff."}},
			}}
		}
	}
	doc := map[string]any{
		"openapi":           "3.1.0",
		"info":              map[string]any{"title": info.Title, "version": info.Version, "description": info.Description},
		"jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
		"paths":             paths,
		"webhooks":          webhooks,
		"tags":              tags,
		"components":        map[string]any{"schemas": schemas, "securitySchemes": security},
	}
	return json.MarshalIndent(doc, "", "  ")
}

func requirement(names []string) []map[string][]string {
	if len(names) == 0 {
		return []map[string][]string{}
	}
	req := map[string][]string{}
	for _, n := range names {
		req[n] = []string{}
	}
	return []map[string][]string{req}
}

func operation(op Operation) (map[string]any, error) {
	o := map[string]any{
		"operationId": op.ID, "summary": op.Summary, "tags": []string{op.Tag},
		"security": requirement(op.Security),
	}
	if op.Description != "" {
		o["description"] = op.Description
	}
	var params []map[string]any
	for _, q := range op.Query {
		s := map[string]any{"type": "string"}
		if len(q.Enum) > 0 {
			s["enum"] = q.Enum
		}
		params = append(params, map[string]any{"name": q.Name, "in": "query", "required": q.Required, "description": q.Description, "schema": s})
	}
	if params != nil {
		o["parameters"] = params
	}
	if op.Request != nil {
		s, err := SchemaOf(reflect.TypeOf(op.Request))
		if err != nil {
			return nil, fmt.Errorf("apidoc: %s %s: %w", op.Method, op.Path, err)
		}
		o["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": s}}}
	}
	responses := map[string]any{}
	statuses := make([]string, 0, len(op.Responses))
	for st := range op.Responses {
		statuses = append(statuses, st)
	}
	sort.Strings(statuses)
	for _, st := range statuses {
		responses[st] = map[string]any{
			"description": describeStatus(st),
			"content":     map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + op.Responses[st]}}},
		}
	}
	o["responses"] = responses
	return o, nil
}

func describeStatus(st string) string {
	switch st {
	case "200":
		return "Success (code 0)"
	case "202":
		return "In Process (code 1): the final result comes by webhook and status inquiry"
	case "default":
		return "An error: the code and the HTTP status follow the code table"
	}
	return http.StatusText(atoi(st))
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

var schemerType = reflect.TypeOf((*Schemer)(nil)).Elem()

// SchemaOf returns the JSON Schema of a request struct from its json and
// validate tags.
func SchemaOf(t reflect.Type) (map[string]any, error) {
	if t.Implements(schemerType) {
		return reflect.Zero(t).Interface().(Schemer).OpenAPISchema(), nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		return SchemaOf(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}, nil
	case reflect.Bool:
		return map[string]any{"type": "boolean"}, nil
	case reflect.Int, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}, nil
	case reflect.Slice:
		items, err := SchemaOf(t.Elem())
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "array", "items": items}, nil
	case reflect.Struct:
	default:
		return nil, fmt.Errorf("no schema for %s", t)
	}
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		s, err := SchemaOf(f.Type)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", t.Name(), f.Name, err)
		}
		if doc := f.Tag.Get("doc"); doc != "" {
			s["description"] = doc
		}
		if applyValidate(s, f.Tag.Get("validate")) {
			required = append(required, name)
		}
		props[name] = s
	}
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	return out, nil
}

// applyValidate turns validator tags into JSON Schema keywords; it reports
// whether the field is required.
func applyValidate(s map[string]any, tag string) (required bool) {
	str := s["type"] == "string"
	for _, rule := range strings.Split(tag, ",") {
		key, val, _ := strings.Cut(rule, "=")
		switch key {
		case "required":
			required = true
		case "max":
			if str {
				s["maxLength"] = atoi(val)
			}
		case "min":
			if str {
				s["minLength"] = atoi(val)
			}
		case "len":
			if str {
				s["minLength"], s["maxLength"] = atoi(val), atoi(val)
			}
		case "numeric":
			if str {
				s["pattern"] = "^[0-9]*$"
			}
		case "email":
			s["format"] = "email"
		case "oneof":
			s["enum"] = strings.Fields(val)
		}
	}
	return required
}

// Handler serves the document.
func Handler(doc []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(doc)
	})
}
