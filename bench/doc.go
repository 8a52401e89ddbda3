// Package bench measures the parts of the pipeline on desktop-like content:
// colour conversion, encoding and decoding at 1920x1080 (go test -bench).
// Benchmarks report; they do not fail on time.
package bench
