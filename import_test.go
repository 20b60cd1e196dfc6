package admit_test

import (
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestDomainImportsStandardLibraryOnly keeps the root package free of
// dependencies: every import of its non-test files must be standard library.
func TestDomainImportsStandardLibraryOnly(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			if first := strings.Split(path, "/")[0]; strings.Contains(first, ".") {
				t.Errorf("%s imports %s: the domain package imports the standard library only", name, path)
			}
		}
	}
}
