package edge

import "net/http"

// Route is one registered operation or page: a method, a ServeMux path
// template and its handler.
type Route struct {
	Method  string
	Path    string
	Handler http.HandlerFunc
}

// Mux returns a ServeMux serving routes.
func Mux(routes []Route) *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.HandleFunc(rt.Method+" "+rt.Path, rt.Handler)
	}
	return mux
}

// Headers sets Values on every response, then serves Next. It assigns the
// header map entries directly (keys must be canonical, values are shared
// and never modified): it is on the path of every join.
type Headers struct {
	Next   http.Handler
	Values http.Header
}

// ServeHTTP implements http.Handler.
func (h Headers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	for k, v := range h.Values {
		hd[k] = v
	}
	h.Next.ServeHTTP(w, r)
}
