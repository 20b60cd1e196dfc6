package sip

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// allowedImports are the non-standard imports package sip may have: the
// domain and its SIP stack.
var allowedImports = []string{
	"github.com/admit-project/admit",
	"github.com/emiago/sipgo",
	"github.com/emiago/diago",
	"github.com/zaf/g711",
	"github.com/icholy/digest",
}

// TestImports enforces doc.go: the gateway depends on the domain and its SIP
// stack, never on the application, the stores or the HTTP edge.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !strings.Contains(strings.Split(path, "/")[0], ".") {
				continue // standard library
			}
			ok := false
			for _, a := range allowedImports {
				if path == a || a != "github.com/admit-project/admit" && strings.HasPrefix(path, a+"/") || path == a+"/" {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s imports %s: package sip may import only the domain and its SIP stack", name, path)
			}
		}
	}
}

func TestCallerNumber(t *testing.T) {
	req := newInvite(t, "<sip:+15557654321@192.0.2.1>;tag=a", "")
	if got := callerNumber(req); got != "+15557654321" {
		t.Errorf("From: callerNumber = %q", got)
	}
	req = newInvite(t, "<sip:anonymous@192.0.2.1>;tag=a", `"Alice" <sip:+15550009999@carrier.example;user=phone>`)
	if got := callerNumber(req); got != "+15550009999" {
		t.Errorf("P-Asserted-Identity: callerNumber = %q", got)
	}
}

func newInvite(t *testing.T, from, pai string) *sip.Request {
	t.Helper()
	raw := "INVITE sip:15550001111@127.0.0.1 SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n" +
		"From: " + from + "\r\n" +
		"To: <sip:15550001111@127.0.0.1>\r\n" +
		"Call-ID: 1@192.0.2.1\r\nCSeq: 1 INVITE\r\n"
	if pai != "" {
		raw += "P-Asserted-Identity: " + pai + "\r\n"
	}
	raw += "Content-Length: 0\r\n\r\n"
	msg, err := sip.ParseMessage([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return msg.(*sip.Request)
}
