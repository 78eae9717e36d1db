package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"slices"

	"github.com/grpcobs/grpcobs/bench/internal/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// fullTarget is the full stack's target ratio, drawn as a reference line.
const fullTarget = 1.5

// benchmarkColors tell the benchmarks apart (colour-blind safe, Okabe–Ito).
var benchmarkColors = []color.Color{
	color.RGBA{R: 0x00, G: 0x72, B: 0xb2, A: 0xff},
	color.RGBA{R: 0x56, G: 0xb4, B: 0xe9, A: 0xff},
	color.RGBA{R: 0xe6, G: 0x9f, B: 0x00, A: 0xff},
	color.RGBA{R: 0xcc, G: 0x79, B: 0xa7, A: 0xff},
	color.RGBA{R: 0x00, G: 0x9e, B: 0x73, A: 0xff},
}

// writePNG draws one panel per transport, stacked, into a PNG file.
func writePNG(set *results.Set, path string) error {
	configs := slices.DeleteFunc(slices.Clone(set.Configs), func(c string) bool { return c == results.Bare })
	if len(configs) == 0 {
		return fmt.Errorf("no configuration besides %s to compare", results.Bare)
	}
	rows := make([][]*plot.Plot, 0, len(set.Transports))
	for _, transport := range set.Transports {
		p, err := panel(set, transport, configs)
		if err != nil {
			return err
		}
		rows = append(rows, []*plot.Plot{p})
	}

	img := vgimg.New(vg.Length(150+60*len(configs))*vg.Millimeter/4, vg.Length(len(rows))*95*vg.Millimeter)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(rows), Cols: 1, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2,
		PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2, PadY: vg.Millimeter * 6}
	canvases := plot.Align(rows, tiles, dc)
	for i, row := range rows {
		row[0].Draw(canvases[i][0])
	}

	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// panel is the grouped bar chart of one transport.
func panel(set *results.Set, transport string, configs []string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("grpcobs overhead over a bare gRPC call, %s (median time ratio, both sides instrumented)", transport)
	p.Y.Label.Text = "time per op / bare"
	p.Y.Min = 0
	p.Legend.Top = true
	p.Legend.Left = true
	p.NominalX(configs...)
	p.X.Tick.Label.Rotation = math.Pi / 9
	p.X.Tick.Label.XAlign = draw.XRight
	p.Add(plotter.NewGrid())

	barWidth := vg.Points(9)
	groupWidth := barWidth * vg.Length(len(set.Benchmarks))
	maxRatio := fullTarget
	for i, benchmark := range set.Benchmarks {
		ratios := make(plotter.Values, len(configs))
		for j, config := range configs {
			ratio, _, ok := set.VersusBare(results.Key{Benchmark: benchmark, Transport: transport, Config: config})
			if ok {
				ratios[j] = ratio
				maxRatio = max(maxRatio, ratio)
			}
		}
		bars, err := plotter.NewBarChart(ratios, barWidth)
		if err != nil {
			return nil, err
		}
		bars.Color = benchmarkColors[i%len(benchmarkColors)]
		bars.LineStyle.Width = 0
		bars.Offset = -groupWidth/2 + barWidth*vg.Length(i) + barWidth/2
		p.Add(bars)
		p.Legend.Add(results.Label(benchmark), bars)
	}
	// Headroom above the tallest bar keeps the legend clear of the bars.
	p.Y.Max = math.Ceil(maxRatio*1.45*2) / 2
	p.Y.Tick.Marker = halfSteps{}
	for _, ref := range []struct {
		y     float64
		label string
	}{{1, "bare (1×)"}, {fullTarget, fmt.Sprintf("full-stack target (%.1f×)", fullTarget)}} {
		line, err := horizontalLine(ref.y, len(configs))
		if err != nil {
			return nil, err
		}
		p.Add(line)
		p.Legend.Add(ref.label, line)
	}
	return p, nil
}

// horizontalLine is a dashed line at y across the n groups of a nominal X axis.
func horizontalLine(y float64, n int) (*plotter.Line, error) {
	line, err := plotter.NewLine(plotter.XYs{{X: -0.5, Y: y}, {X: float64(n) - 0.5, Y: y}})
	if err != nil {
		return nil, err
	}
	line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	line.Width = vg.Points(1)
	if y != 1 {
		line.Color = color.RGBA{R: 0xd5, G: 0x5e, B: 0x00, A: 0xff}
	}
	return line, nil
}

// halfSteps puts a labelled tick at every half unit of the ratio axis.
type halfSteps struct{}

func (halfSteps) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for v := math.Ceil(lo*2) / 2; v <= hi; v += 0.5 {
		ticks = append(ticks, plot.Tick{Value: v, Label: fmt.Sprintf("%.1f×", v)})
	}
	return ticks
}
