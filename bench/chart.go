package bench

import (
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// Series is one distribution to chart: its name and its samples. Series of
// one Group share a colour (one with no group has its own); Dash is an SVG
// stroke-dasharray ("" is solid).
type Series struct {
	Name   string
	Values []time.Duration
	Group  string
	Dash   string
}

// chart geometry, in SVG user units.
const (
	chartW, chartH        = 720, 400
	chartLeft, chartRight = 60, 220 // the legend is on the right
	chartTop, chartBottom = 20, 50
	plotW                 = chartW - chartLeft - chartRight
	plotH                 = chartH - chartTop - chartBottom
)

var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
	"#bcbd22", "#7f7f7f", "#393b79", "#ad494a"}

// LatencyChart writes an SVG of the series' cumulative distributions: for
// each latency on the x axis, the share of samples at or below it. A curve
// further left is faster; a long tail shows as a late climb to 100 %. The axis
// is logarithmic from 1 ms (systems an order of magnitude apart stay
// readable) and ends past the slowest series' 99th percentile: rarer outliers
// run off the right edge (the tables give the maximum).
func LatencyChart(w io.Writer, title string, series []Series) error {
	var top time.Duration
	for _, s := range series {
		v := slices.Clone(s.Values)
		slices.Sort(v)
		if len(v) > 0 {
			top = max(top, v[min(len(v)-1, int(0.99*float64(len(v))))])
		}
	}
	xMax := max(10, niceCeil(float64(top)/float64(time.Millisecond)))
	// xAt is the x coordinate of a latency in milliseconds.
	xAt := func(ms float64) float64 {
		return chartLeft + float64(plotW)*min(1, math.Log10(max(1, ms))/math.Log10(xMax))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/>`+"\n", chartW, chartH)
	fmt.Fprintf(&b, `<text x="%d" y="14" font-weight="bold">%s</text>`+"\n", chartLeft, html.EscapeString(title))
	// Axes and grid: latency at 1, 2 and 5 times powers of ten, share every 25 %.
	for p := 1.0; p <= xMax; p *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if v := m * p; v <= xMax {
				x := xAt(v)
				fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`+"\n", x, chartTop, x, chartTop+plotH)
				fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%g</text>`+"\n", x, chartTop+plotH+16, v)
			}
		}
	}
	for i := 0; i <= 4; i++ {
		y := chartTop + float64(plotH) - float64(plotH*i)/4
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", chartLeft, y, chartLeft+plotW, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%d %%</text>`+"\n", chartLeft-6, y+4, 25*i)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">latency, ms (logarithmic)</text>`+"\n", chartLeft+plotW/2, chartH-10)
	colours, used := map[string]string{}, 0
	for i, s := range series {
		colour, ok := colours[s.Group]
		if !ok || s.Group == "" {
			colour = palette[used%len(palette)]
			used++
			if s.Group != "" {
				colours[s.Group] = colour
			}
		}
		dash := ""
		if s.Dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, html.EscapeString(s.Dash))
		}
		v := slices.Clone(s.Values)
		slices.Sort(v)
		var pts []string
		for j, d := range v {
			x := xAt(float64(d) / float64(time.Millisecond))
			y := chartTop + float64(plotH)*(1-float64(j+1)/float64(len(v)))
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		}
		if len(pts) > 0 {
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"><title>%s</title></polyline>`+"\n",
				colour, dash, strings.Join(pts, " "), html.EscapeString(s.Name))
		}
		ly := chartTop + 10 + 18*i
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"%s/>`+"\n", chartW-chartRight+12, ly, chartW-chartRight+32, ly, colour, dash)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", chartW-chartRight+38, ly+4, html.EscapeString(s.Name))
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten (at least 1).
func niceCeil(v float64) float64 {
	if v <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}
