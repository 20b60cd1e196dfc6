package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/admit-project/admit"
)

// decodeBody reads the request body into v: at most MaxBodyBytes, exactly
// one JSON value, no unknown fields. A missing body is EINVALID.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeJSON(http.MaxBytesReader(w, r.Body, MaxBodyBytes), MaxBodyBytes, v, false)
}

// decodeOptionalBody is decodeBody for operations whose body may be left out.
func decodeOptionalBody(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeJSON(http.MaxBytesReader(w, r.Body, MaxBodyBytes), MaxBodyBytes, v, true)
}

// decodeJoinRequest reads a join request from body, which the caller limits
// to MaxJoinBodyBytes. It returns EINVALID naming the field at fault, or
// ETOOLARGE.
func decodeJoinRequest(body io.Reader) (*admit.JoinRequest, error) {
	req := &admit.JoinRequest{}
	if err := decodeJSON(body, MaxJoinBodyBytes, req, false); err != nil {
		return nil, err
	}
	req.Source = ""
	return req, nil
}

// decodeJSON decodes exactly one JSON value from body into v and turns every
// failure into an *admit.Error: ETOOLARGE past limit, else EINVALID naming
// the field when there is one.
func decodeJSON(body io.Reader, limit int64, v any, optional bool) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err == io.EOF {
		if optional {
			return nil
		}
		return admit.FieldErrorf("body", "the request body must hold a JSON object")
	} else if err != nil {
		return decodeError(err, limit)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(limit)
		}
		return admit.FieldErrorf("body", "the request body must hold a single JSON value")
	}
	return nil
}

func tooLarge(limit int64) error {
	return &admit.Error{Code: admit.ETOOLARGE, Message: fmt.Sprintf("The request body may have at most %d bytes.", limit)}
}

// decodeError turns an error of encoding/json into an *admit.Error.
func decodeError(err error, limit int64) error {
	var (
		mbe *http.MaxBytesError
		se  *json.SyntaxError
		ute *json.UnmarshalTypeError
		pe  *time.ParseError
	)
	switch {
	case errors.As(err, &mbe):
		return tooLarge(limit)
	case errors.As(err, &se):
		return admit.FieldErrorf("body", "the request body is not valid JSON (at byte %d)", se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return admit.FieldErrorf("body", "the request body is not valid JSON (it ends early)")
	case errors.As(err, &ute):
		if ute.Field == "" {
			return admit.FieldErrorf("body", "the request body must be %s", describeType(ute.Type))
		}
		return admit.FieldErrorf(ute.Field, "%s must be %s", ute.Field, describeType(ute.Type))
	case errors.As(err, &pe), strings.HasPrefix(err.Error(), "Time.UnmarshalJSON"):
		return &admit.Error{Code: admit.EINVALID, Field: "body", Message: badTimeMessage}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if f, err := strconv.Unquote(name); err == nil {
			name = f
		}
		return admit.FieldErrorf(name, "%s is not a known field", name)
	}
	return admit.FieldErrorf("body", "the request body is not valid JSON")
}

// badTimeMessage is the message of a time that does not parse. encoding/json
// does not say which field held it; see timeField.
const badTimeMessage = "a time must be an RFC 3339 string (2006-01-02T15:04:05Z)"

// timeField names field in err when err is the decoding error of a bad time:
// for bodies with a single time field.
func timeField(err error, field string) error {
	var e *admit.Error
	if errors.As(err, &e) && e.Code == admit.EINVALID && e.Message == badTimeMessage {
		return admit.FieldErrorf(field, "%s must be an RFC 3339 time (2006-01-02T15:04:05Z)", field)
	}
	return err
}

// describeType says in words what JSON value a Go type takes.
func describeType(t reflect.Type) string {
	if t == nil {
		return "a different type"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[time.Time]() {
		return "an RFC 3339 time string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a different type"
}

// pathID returns the path value name after checking it looks like an
// identifier: 1 to 64 letters, digits, dashes, dots or spaces. EINVALID
// names it otherwise.
func pathID(r *http.Request, name string) (string, error) {
	v := r.PathValue(name)
	if v == "" || len(v) > admit.MaxCredentialLength {
		return "", admit.FieldErrorf(name, "%s must have 1 to %d characters", name, admit.MaxCredentialLength)
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == ' ' || c == '_') {
			return "", admit.FieldErrorf(name, "%s may hold only letters, digits, dashes, dots and spaces", name)
		}
	}
	return v, nil
}

// pathInt returns the path value name as a positive integer; EINVALID names
// it otherwise.
func pathInt(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, admit.FieldErrorf(name, "%s must be a positive integer", name)
	}
	return n, nil
}

// queryInt returns the query parameter name as an integer from min to max,
// or def when absent; EINVALID names it otherwise.
func queryInt(r *http.Request, name string, def, min, max int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < min || n > max {
		return 0, admit.FieldErrorf(name, "%s must be an integer from %d to %d", name, min, max)
	}
	return n, nil
}

// queryTime returns the query parameter name as an RFC 3339 time, or the
// zero time when absent; EINVALID names it otherwise.
func queryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, admit.FieldErrorf(name, "%s must be an RFC 3339 time (2006-01-02T15:04:05Z)", name)
	}
	return t, nil
}

// occurrenceParam reads the optional ?occurrence=n (0, the default, picks
// the open or next occurrence).
func occurrenceParam(r *http.Request) (int, error) {
	n, err := queryInt(r, "occurrence", 0, 0, math.MaxInt32)
	return int(n), err
}
