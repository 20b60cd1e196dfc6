package translog_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// allowedImports are the non-standard imports of translog and its
// subpackages (doc.go of each says why).
var allowedImports = []string{
	"github.com/admit-project/admit",
	"github.com/admit-project/admit/translog",
	"github.com/transparency-dev/merkle",
	"github.com/transparency-dev/formats/log",
	"golang.org/x/mod/sumdb/note",
}

// TestImports keeps translog off the stores, the edges and the application.
func TestImports(t *testing.T) {
	for _, dir := range []string{".", "memstore", "logtest"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
		imports:
			for _, imp := range f.Imports {
				path := strings.Trim(imp.Path.Value, `"`)
				if !strings.Contains(strings.Split(path, "/")[0], ".") {
					continue
				}
				for _, ok := range allowedImports {
					if path == ok || strings.HasPrefix(path, ok+"/") && ok != "github.com/admit-project/admit" {
						continue imports
					}
				}
				t.Errorf("%s imports %s, which translog may not", filepath.Join(dir, name), path)
			}
		}
	}
}
