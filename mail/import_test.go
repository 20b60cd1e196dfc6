package mail_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// allowedImports says, per package directory, which non-standard imports
// its non-test files may have (see each doc.go).
var allowedImports = map[string][]string{
	".":        {"github.com/admit-project/admit", "github.com/admit-project/admit/ical", "github.com/wneessen/go-mail"},
	"mailtest": {},
	"../ical":  {},
}

func TestImports(t *testing.T) {
	for dir, allowed := range allowedImports {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path := strings.Trim(imp.Path.Value, `"`)
				if !strings.Contains(strings.Split(path, "/")[0], ".") {
					continue // standard library
				}
				ok := false
				for _, a := range allowed {
					ok = ok || path == a
				}
				if !ok {
					t.Errorf("%s/%s imports %s, which its doc.go does not allow", dir, name, path)
				}
			}
		}
	}
}
