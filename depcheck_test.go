package admit_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/admit-project/admit"

// Package groups of the map in docs/design.md.
var (
	// stores and adapters: they implement domain interfaces and never
	// reach for an edge.
	adapterPkgs = []string{"sqlite", "postgres", "redis", "memory", "keys", "jwt", "password", "clock", "limittest", "storetest", "mail", "ical", "oidc", "sip", "failover", "faulttest", "translog",
		"livekit", "jitsi", "bbb", "media", "sqlstore", "rowscan"}
	// edges: they serve the application and never open a store.
	edgePkgs  = []string{"http", "web", "edge"}
	storePkgs = []string{"sqlite", "postgres", "redis"}
)

// TestImportRules fails when a package imports what the package map in
// docs/design.md forbids: the root anything but the standard library, a
// store or adapter an edge or cmd, an edge a store or the concrete
// application.
func TestImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,Standard", "./...").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	imports := map[string][]string{}
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		imports[strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")] = p.Imports
	}
	if len(imports) < 10 {
		t.Fatalf("go list found %d packages", len(imports))
	}
	local := func(imp string) (string, bool) {
		if imp == module {
			return "", true
		}
		if rest, ok := strings.CutPrefix(imp, module+"/"); ok {
			return rest, true
		}
		return "", false
	}
	in := func(list []string, p string) bool {
		for _, x := range list {
			if p == x || strings.HasPrefix(p, x+"/") {
				return true
			}
		}
		return false
	}
	for pkg, imps := range imports {
		for _, imp := range imps {
			dep, isLocal := local(imp)
			switch {
			case pkg == "":
				if first := strings.Split(imp, "/")[0]; strings.Contains(first, ".") {
					t.Errorf("the root package imports %s: it imports the standard library only", imp)
				}
			case in(adapterPkgs, pkg) && isLocal && (in(edgePkgs, dep) || strings.HasPrefix(dep, "cmd") || dep == "app"):
				t.Errorf("%s imports %s: stores and adapters do not import the application, an edge or cmd", pkg, imp)
			case in(edgePkgs, pkg) && isLocal && (in(storePkgs, dep) || dep == "app"):
				t.Errorf("%s imports %s: an edge depends on the domain's interfaces, not on a store or the concrete service", pkg, imp)
			case pkg == "web" && isLocal && dep == "http":
				t.Errorf("web imports http: what they share lives in edge")
			case (pkg == "sqlstore" || pkg == "rowscan") && !isLocal && strings.Contains(strings.Split(imp, "/")[0], "."):
				t.Errorf("%s imports %s: the SQL both stores share names no driver", pkg, imp)
			case (pkg == "sqlstore" || pkg == "rowscan") && isLocal && dep != "" && dep != "rowscan" && (pkg != "sqlstore" || dep != "translog"):
				t.Errorf("%s imports %s: the SQL both stores share imports the root package, rowscan and (sqlstore, for the audit log's tables) translog only", pkg, imp)
			case pkg == "app" && isLocal && (in(storePkgs, dep) || in(edgePkgs, dep) || strings.HasPrefix(dep, "cmd")):
				t.Errorf("app imports %s: the application knows stores and edges by the domain's interfaces only", imp)
			}
		}
	}
}
