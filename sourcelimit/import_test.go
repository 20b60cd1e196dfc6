package sourcelimit_test

import (
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestImports keeps the package to the standard library and the domain.
func TestImports(t *testing.T) {
	entries, _ := os.ReadDir(".")
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if strings.Contains(strings.Split(p, "/")[0], ".") && p != "github.com/admit-project/admit" {
				t.Errorf("%s imports %s; the package may import the standard library and admit only", e.Name(), p)
			}
		}
	}
}
