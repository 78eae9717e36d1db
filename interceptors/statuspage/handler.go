package statuspage

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
)

var (
	//go:embed page.html.tmpl
	pageTemplateText string
	//go:embed page.css
	pageCSS string
)

// contentSecurityPolicy allows the page nothing but its own stylesheet (by hash): no script,
// no font, no image, no frame, no form, nothing from any other origin. What a caller managed
// to put on the page could not run or fetch anything even if escaping failed.
var contentSecurityPolicy = func() string {
	sum := sha256.Sum256([]byte(pageCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}()

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"rfc3339":  func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) },
	"clock":    func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000 UTC") },
	"seconds":  func(s float64) string { return formatDuration(time.Duration(s * float64(time.Second))) },
	"duration": formatDuration,
	"rate":     func(r float64) string { return strconv.FormatFloat(r, 'f', 2, 64) },
	"percent":  func(r float64) string { return strconv.FormatFloat(100*r, 'f', 1, 64) + "%" },
	"service": func(name string) string {
		if name == "" {
			return `"" (overall)`
		}
		return name
	},
	"statusClass": statusClass,
	"dict":        dict,
}).Parse(pageTemplateText))

// statusClass is the CSS class of a health or check status.
func statusClass(status string) string {
	switch status {
	case "SERVING", "passing", "running":
		return "good"
	case "NOT_SERVING", "failing", "shut down":
		return "bad"
	case "":
		return ""
	default:
		return "warn"
	}
}

// dict makes a map of its key, value pairs, to pass several values to a sub-template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, errors.New("dict: a key is not a string")
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// pageData is what the HTML template renders.
type pageData struct {
	Snap           snapshot
	Sides          []sideSection
	Refresh        bool
	RefreshSeconds int
	CSS            template.CSS
	SVGWidth       int
	SVGHeight      int
	BarWidth       int
}

type sideSection struct {
	ID, Title string
	View      sideView
}

// Bars lays out the method's latency histogram.
func (m methodView) Bars() []svgBar { return bars(m.latency) }

// ServeHTTP serves the page (GET or HEAD). The query parameter format=json serves the same
// data as JSON; refresh=off serves a page that does not reload itself.
func (p *Page) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	q := req.URL.Query()
	snap := p.snapshot()
	var body bytes.Buffer
	switch {
	case q.Get("format") == "json":
		enc := json.NewEncoder(&body)
		enc.SetIndent("", "  ")
		if err := enc.Encode(snap); err != nil {
			http.Error(w, "encode the status: "+err.Error(), http.StatusInternalServerError)
			return
		}
		h.Set("Content-Type", "application/json")
	default:
		data := pageData{
			Snap: snap,
			Sides: []sideSection{
				{ID: "server", Title: "Server: calls handled", View: snap.Server},
				{ID: "client", Title: "Client: calls made", View: snap.Client},
			},
			Refresh:        !strings.EqualFold(q.Get("refresh"), "off"),
			RefreshSeconds: int(p.opts.refresh / time.Second),
			CSS:            template.CSS(pageCSS),
			SVGWidth:       svgWidth,
			SVGHeight:      chartHeight,
			BarWidth:       barWidth,
		}
		if err := pageTemplate.Execute(&body, data); err != nil {
			http.Error(w, "render the status page: "+err.Error(), http.StatusInternalServerError)
			return
		}
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
	}
	h.Set("Content-Length", strconv.Itoa(body.Len()))
	if req.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body.Bytes())
}
