package http_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/admit-project/admit"
	admithttp "github.com/admit-project/admit/http"
)

// FuzzDecodeJoinRequest feeds arbitrary bytes to the join request decoder:
// it never panics, and returns either a request or an EINVALID or ETOOLARGE
// error.
func FuzzDecodeJoinRequest(f *testing.F) {
	for _, seed := range []string{
		`{"meeting_id":"123 4567 8901","passcode":"abc123"}`,
		`{"access_code":"123-456-789","name":"Ann","channel":"phone"}`,
		`{"token":"tX","pwd":"y"}`,
		`{"meeting_id":1}`, `{"source":"x"}`, `null`, `[]`, `"s"`, `{} {}`, `{"name":"\ud800"}`, ``, `{`,
		`{"meeting_id":"` + string(bytes.Repeat([]byte("9"), 9000)) + `"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		body := http.MaxBytesReader(nil, io.NopCloser(bytes.NewReader(data)), admithttp.MaxJoinBodyBytes)
		v, err := admithttp.DecodeJoinRequest(body)
		if err == nil {
			req, ok := v.(*admit.JoinRequest)
			if !ok || req == nil {
				t.Fatalf("decoded %T %v without error", v, v)
			}
			if req.Source != "" {
				t.Fatalf("the body set Source %q", req.Source)
			}
			return
		}
		var e *admit.Error
		if !errors.As(err, &e) || (e.Code != admit.EINVALID && e.Code != admit.ETOOLARGE) {
			t.Fatalf("error %v (%T), want an EINVALID or ETOOLARGE *admit.Error", err, err)
		}
		if e.Code == admit.ETOOLARGE && len(data) <= admithttp.MaxJoinBodyBytes {
			t.Fatalf("ETOOLARGE for %d bytes", len(data))
		}
	})
}
