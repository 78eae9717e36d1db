package results

// labels are the readable names of the benchmarks, for tables and plots.
var labels = map[string]string{
	"Unary":         "unary",
	"UnaryParallel": "unary, parallel",
	"ServerStream":  "server stream (10 msgs)",
	"Bidi":          "bidi (10 round trips)",
}

// Label is the readable name of a benchmark (its own name when it has none).
func Label(benchmark string) string {
	if l, ok := labels[benchmark]; ok {
		return l
	}
	return benchmark
}
