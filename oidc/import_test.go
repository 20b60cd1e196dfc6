package oidc_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// allowedImports are what each package's non-test files may import beyond
// the standard library (see their doc.go).
var allowedImports = map[string][]string{
	".":        {"github.com/admit-project/admit", "github.com/coreos/go-oidc/v3/oidc", "golang.org/x/oauth2"},
	"oidctest": {"github.com/go-jose/go-jose/v4"},
}

func TestImports(t *testing.T) {
	for dir, allowed := range allowedImports {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
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
		imports:
			for _, imp := range f.Imports {
				path := strings.Trim(imp.Path.Value, `"`)
				if !strings.Contains(strings.Split(path, "/")[0], ".") {
					continue // standard library
				}
				for _, a := range allowed {
					if path == a {
						continue imports
					}
				}
				t.Errorf("%s imports %s; allowed beyond the standard library: %v", name, path, allowed)
			}
		}
	}
	if _, err := os.Stat("oidctest/doc.go"); err != nil {
		t.Error(err)
	}
}
