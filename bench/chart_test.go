package bench

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

// TestLatencyChart: the SVG is well-formed XML with one curve and one legend
// entry per series, names escaped, and a curve that ends at 100 %.
func TestLatencyChart(t *testing.T) {
	ms := time.Millisecond
	var b strings.Builder
	err := LatencyChart(&b, "typing <loopback>", []Series{
		{Name: "dream h264", Values: []time.Duration{20 * ms, 18 * ms, 25 * ms, 19 * ms}},
		{Name: "x11vnc & co", Values: []time.Duration{33 * ms, 40 * ms}},
	})
	if err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	dec := xml.NewDecoder(strings.NewReader(svg))
	polylines := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed: %v\n%s", err, svg)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "polyline" {
			polylines++
		}
	}
	if polylines != 2 {
		t.Errorf("%d curves; want 2", polylines)
	}
	if !strings.Contains(svg, "x11vnc &amp; co") || !strings.Contains(svg, "typing &lt;loopback&gt;") {
		t.Error("names are not escaped")
	}
	// The slowest sample of the first series (25 ms of a 50 ms axis) is at 100 %.
	if !strings.Contains(svg, ",20.0\"><title>dream h264") {
		t.Errorf("the first curve does not end at the top:\n%s", svg)
	}
	if got := niceCeil(41.3); got != 50 {
		t.Errorf("niceCeil(41.3) = %v; want 50", got)
	}
}
