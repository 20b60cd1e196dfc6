package edge_test

import (
	"testing"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

var errorStatusTests = []struct {
	code string
	want int
}{
	{admit.EINVALID, 400},
	{admit.EUNAUTHORIZED, 401},
	{admit.EFORBIDDEN, 403},
	{admit.EREFUSED, 403},
	{admit.ENOTOPEN, 403},
	{admit.EENDED, 403},
	{admit.ENOTFOUND, 404},
	{edge.EMETHOD, 405},
	{admit.ECONFLICT, 409},
	{admit.ETOOLARGE, 413},
	{admit.ERATELIMITED, 429},
	{admit.EINTERNAL, 500},
	{"something_new", 500},
}

func TestErrorStatus(t *testing.T) {
	for _, tt := range errorStatusTests {
		if got := edge.ErrorStatus(tt.code); got != tt.want {
			t.Errorf("ErrorStatus(%q) = %d, want %d", tt.code, got, tt.want)
		}
	}
}
