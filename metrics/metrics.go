package metrics

import (
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/admit-project/admit"
	"github.com/admit-project/admit/edge"
)

// Metrics holds admit's collectors, registered on one registry.
type Metrics struct {
	reg           prometheus.Registerer
	joins         *prometheus.CounterVec
	joinSeconds   *prometheus.HistogramVec
	refusals      *prometheus.CounterVec
	budgetsSpent  prometheus.Counter
	groupSize     *prometheus.HistogramVec
	groupWait     *prometheus.HistogramVec
	groupCommit   *prometheus.HistogramVec
	storeErrors   *prometheus.CounterVec
	answersByCode *prometheus.CounterVec
}

var latencyBuckets = []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .2, .5, 1, 2, 5}

// New makes admit's collectors and registers them on reg. Its error is
// reg's (a collector registered twice).
func New(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		reg: reg,
		joins: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "admit_joins_total",
			Help: "Join attempts answered, by channel (api, web) and outcome (admitted, refused, rate_limited, invalid, unavailable, error)."}, []string{"channel", "outcome"}),
		joinSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "admit_join_duration_seconds",
			Help: "Time from a join's request to its answer, by channel and outcome.", Buckets: latencyBuckets}, []string{"channel", "outcome"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "admit_limiter_refusals_total",
			Help: "Join attempts refused by the per-source limiter (429), by channel."}, []string{"channel"}),
		budgetsSpent: prometheus.NewCounter(prometheus.CounterOpts{Name: "admit_guess_budgets_spent_total",
			Help: "Meetings whose guess budget a failed guess spent."}),
		groupSize: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "admit_store_write_group_size",
			Help: "Writes per group commit, by store.", Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256}}, []string{"store"}),
		groupWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "admit_store_write_wait_seconds",
			Help: "How long a group's oldest write waited in the queue before its group began, by store.", Buckets: latencyBuckets}, []string{"store"}),
		groupCommit: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "admit_store_write_commit_seconds",
			Help: "How long a group commit took, from its first write to its durable commit, by store.", Buckets: latencyBuckets}, []string{"store"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "admit_store_errors_total",
			Help: "Failed group commits, by store and kind (unavailable: out of reach; error: any other)."}, []string{"store", "kind"}),
		answersByCode: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "admit_http_answers_total",
			Help: "HTTP answers, by status class (2xx, 3xx, 4xx, 5xx) and whether the answer said the service was unavailable (503)."}, []string{"class"}),
	}
	for _, c := range []prometheus.Collector{m.joins, m.joinSeconds, m.refusals, m.budgetsSpent, m.groupSize, m.groupWait, m.groupCommit, m.storeErrors, m.answersByCode} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Register registers more collectors on the same registry: the hook for
// other parts of admit (outbox depth and failures, SIP calls).
func (m *Metrics) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := m.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// GuessBudgetSpent implements admit.JoinObserver.
func (m *Metrics) GuessBudgetSpent() { m.budgetsSpent.Inc() }

var _ admit.JoinObserver = (*Metrics)(nil)

// Store returns the admit.WriteObserver of the named store's group commits.
func (m *Metrics) Store(name string) admit.WriteObserver {
	return storeObserver{m: m, size: m.groupSize.WithLabelValues(name), wait: m.groupWait.WithLabelValues(name),
		commit: m.groupCommit.WithLabelValues(name), unavailable: m.storeErrors.WithLabelValues(name, "unavailable"),
		failed: m.storeErrors.WithLabelValues(name, "error")}
}

type storeObserver struct {
	m                   *Metrics
	size, wait, commit  prometheus.Observer
	unavailable, failed prometheus.Counter
}

func (o storeObserver) ObserveWriteGroup(size int, wait, commit time.Duration, err error) {
	o.size.Observe(float64(size))
	o.wait.Observe(wait.Seconds())
	o.commit.Observe(commit.Seconds())
	switch {
	case err == nil:
	case admit.Unavailable(err):
		o.unavailable.Inc()
	default:
		o.failed.Inc()
	}
}

// WriteBacklog registers a gauge of the writes waiting in the named store's
// queue, read by backlog at each scrape.
func (m *Metrics) WriteBacklog(name string, backlog func() int) error {
	return m.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "admit_store_write_backlog",
		Help: "Writes waiting in the store's queue for a group commit.", ConstLabels: prometheus.Labels{"store": name}},
		func() float64 { return float64(backlog()) }))
}

// outcome names a join's outcome by its answer's status.
func outcome(status int) string {
	switch {
	case status == http.StatusOK, status == http.StatusCreated, status == http.StatusAccepted, status == http.StatusSeeOther:
		return "admitted"
	case status == http.StatusForbidden:
		return "refused"
	case status == http.StatusTooManyRequests:
		return "rate_limited"
	case status == http.StatusServiceUnavailable:
		return "unavailable"
	case status >= 400 && status < 500:
		return "invalid"
	}
	return "error"
}

// Middleware counts every answer of next by status class, and times and
// counts joins by channel and outcome (the outcome read from the status:
// 200 or 303 admitted or waiting, 403 refused, 429 limited).
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		class := "5xx"
		switch {
		case rec.status < 300:
			class = "2xx"
		case rec.status < 400:
			class = "3xx"
		case rec.status < 500:
			class = "4xx"
		case rec.status == http.StatusServiceUnavailable:
			class = "503"
		}
		m.answersByCode.WithLabelValues(class).Inc()
		ch := edge.JoinChannel(r)
		if ch == "" {
			return
		}
		out := outcome(rec.status)
		m.joins.WithLabelValues(ch, out).Inc()
		m.joinSeconds.WithLabelValues(ch, out).Observe(time.Since(t0).Seconds())
		if out == "rate_limited" {
			m.refusals.WithLabelValues(ch).Inc()
		}
	})
}

// statusWriter records the status an answer was written with.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer
// (flushes of the live roster's stream).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes a flush on, for streams that assert http.Flusher.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// AdminHandler serves the admin listener: GET /metrics (Prometheus text
// format, from g) and the runtime profiles under /debug/pprof/. It must be
// served on an address of its own, never the public one.
func AdminHandler(g prometheus.Gatherer) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
