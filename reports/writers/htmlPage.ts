import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** One line of a chart: `values[i]` belongs to the chart's `x[i]`; null where it has no value. */
export interface ChartSeries {
  readonly label: string;
  /** CSS colour; take them from {@link CHART_COLORS} so tests can find a series' pixels. */
  readonly color: string;
  /** Dashed (service-time curves, baselines). Default false. */
  readonly dash?: boolean;
  /** Drawn as steps (rates that hold for a phase). Default false. */
  readonly stepped?: boolean;
  readonly values: readonly (number | null)[];
}

/** A vertical line with a label (phase boundaries). */
export interface ChartMarker {
  readonly x: number;
  readonly label: string;
}

/**
 * A chart as data: what the report and comparison pages embed as JSON and the page's script turns
 * into a uPlot chart. Nothing in it is HTML, so it can be unit-tested without a browser.
 */
export interface ChartSpec {
  /** Element id, unique in the page. */
  readonly id: string;
  readonly title: string;
  /** One line under the title saying how to read the chart. */
  readonly note: string;
  /**
   * `percentile`: log axis of x = 1/(1−p) labelled 0%, 90%, 99%…; `seconds`: time since the run's start;
   * `night`: x = 0, 1, 2 … labelled by `xLabels` (matchbench history).
   */
  readonly xAxis: 'percentile' | 'seconds' | 'night';
  /** For `night`: the label of each x (x = index). */
  readonly xLabels?: readonly string[];
  /** `latency-ms`: values in ms, labelled as durations; `rate`: per second; `count`: plain numbers. */
  readonly yAxis: 'latency-ms' | 'rate' | 'count';
  readonly yLog: boolean;
  readonly x: readonly number[];
  /** The x axis's extent; default: the data's. */
  readonly xRange?: readonly [number, number];
  readonly series: readonly ChartSeries[];
  readonly markers: readonly ChartMarker[];
}

/** Line colours, in the order series take them (distinct on white and for common colour blindness). */
export const CHART_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'] as const;

/** The colour of series `index` (cycling). */
export function chartColor(index: number): string {
  return CHART_COLORS[index % CHART_COLORS.length] as string;
}

/** Text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The placeholder a chart is drawn into (its title and note included). */
export function chartSlot(spec: ChartSpec): string {
  return `<figure class="chart"><figcaption><b>${escapeHtml(spec.title)}</b><span>${escapeHtml(spec.note)}</span></figcaption>` +
    `<div id="${escapeHtml(spec.id)}" class="plot"></div></figure>`;
}

/** Options of {@link htmlPage}. */
export interface HtmlPageOptions {
  readonly title: string;
  /** The page's body; charts go where their {@link chartSlot} is. */
  readonly bodyHtml: string;
  readonly charts: readonly ChartSpec[];
}

const require = createRequire(import.meta.url);
let uplotAssets: { readonly script: string; readonly css: string } | undefined;

/** uPlot's minified script and stylesheet, read once from node_modules to be inlined. */
function uplot(): { readonly script: string; readonly css: string } {
  uplotAssets ??= {
    script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return uplotAssets;
}

/** JSON safe inside a <script> element (no `</script>` or `<!--` can appear in it). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const PAGE_CSS = `
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #222; background: #fff; }
main { max-width: 1280px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.verdict { display: inline-block; padding: 2px 10px; border-radius: 4px; font-weight: 600; color: #fff; }
.good { background: #2b8a3e; } .bad { background: #c92a2a; } .warn { background: #e67700; }
table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #e5e5e5; padding: 3px 10px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; } th { background: #f5f5f5; }
td.pass { color: #2b8a3e; } td.fail { color: #c92a2a; font-weight: 600; }
tr.significant td { background: #fff3bf; } tr.regression td { background: #ffe3e3; } tr.improvement td { background: #d3f9d8; }
dl.identity { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 6px 0; }
dl.identity dt { color: #666; } dl.identity dd { margin: 0; font-family: ui-monospace, monospace; font-size: 13px; overflow-wrap: anywhere; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 12px 24px; }
figure.chart { margin: 8px 0; } figcaption b { display: block; } figcaption span { color: #666; font-size: 12px; }
.tables { display: flex; flex-wrap: wrap; gap: 0 32px; align-items: flex-start; }
.plot { min-height: 300px; } .muted { color: #666; } code { font-size: 13px; }
`;

/**
 * The browser side: turns each embedded {@link ChartSpec} into a uPlot chart in its slot. Records
 * what each chart holds in `window.matchbenchCharts` (the page's own data state, which the
 * Chromium tests read next to the canvas pixels) and reports any failure on the console.
 */
const CHART_SCRIPT = `
(function () {
  'use strict';
  var specs = JSON.parse(document.getElementById('matchbench-charts').textContent);
  window.matchbenchCharts = {};
  function duration(ms) {
    if (ms == null || !isFinite(ms)) return '';
    var ns = ms * 1e6;
    if (ns < 1) return ns.toPrecision(2) + ' ns';
    if (ns < 1e3) return Math.round(ns) + ' ns';
    if (ns < 1e6) return +(ns / 1e3).toPrecision(3) + ' µs';
    if (ns < 1e9) return +(ns / 1e6).toPrecision(3) + ' ms';
    return +(ns / 1e9).toPrecision(3) + ' s';
  }
  function rate(v) { return v == null ? '' : v >= 1e4 ? +(v / 1e3).toPrecision(3) + ' k/s' : +v.toPrecision(3) + '/s'; }
  function percentile(x) {
    if (x == null) return '';
    if (x <= 1) return '0%';
    var nines = Math.max(0, Math.round(Math.log10(x)) - 2);
    return (100 * (1 - 1 / x)).toFixed(nines) + '%';
  }
  function decades(min, max) {
    var out = [];
    for (var e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
      var v = Math.pow(10, e);
      if (v >= min * 0.999 && v <= max * 1.001) out.push(v);
    }
    return out;
  }
  function markersPlugin(markers) {
    return { hooks: { draw: function (u) {
      var ctx = u.ctx;
      ctx.save();
      ctx.strokeStyle = '#868e96'; ctx.fillStyle = '#495057'; ctx.lineWidth = 1;
      ctx.setLineDash([4, 4]); ctx.font = Math.round(11 * devicePixelRatio) + 'px sans-serif'; ctx.textBaseline = 'top';
      markers.forEach(function (m) {
        var px = Math.round(u.valToPos(m.x, 'x', true)) + 0.5;
        if (px < u.bbox.left - 1 || px > u.bbox.left + u.bbox.width + 1) return;
        ctx.beginPath(); ctx.moveTo(px, u.bbox.top); ctx.lineTo(px, u.bbox.top + u.bbox.height); ctx.stroke();
        ctx.fillText(m.label, px + 3, u.bbox.top + 2);
      });
      ctx.restore();
    } } };
  }
  function width(el) { return Math.max(480, Math.min(1200, el.parentElement.clientWidth || 800)); }
  specs.forEach(function (spec) {
    try {
      var el = document.getElementById(spec.id);
      var yFormat = spec.yAxis === 'latency-ms' ? duration : spec.yAxis === 'count' ? function (v) { return v == null ? '' : String(+v.toPrecision(4)); } : rate;
      var xFormat = spec.xAxis === 'percentile' ? percentile
        : spec.xAxis === 'night' ? function (i) { return i == null || i !== Math.round(i) ? '' : (spec.xLabels || [])[i] || ''; }
        : function (s) { return s == null ? '' : s + ' s'; };
      var opts = {
        width: width(el), height: 300,
        scales: {
          x: spec.xAxis === 'percentile' ? { time: false, distr: 3, log: 10 }
            : spec.xRange ? { time: false, range: function () { return spec.xRange.slice(); } } : { time: false },
          y: spec.yLog ? { distr: 3, log: 10 } : { range: function (u, min, max) { return [0, max > 0 ? max * 1.08 : 1]; } },
        },
        axes: [
          spec.xAxis === 'percentile'
            ? { label: 'percentile', splits: function (u, i, min, max) { return decades(min, max); },
                values: function (u, splits) { return splits.map(percentile); } }
            : spec.xAxis === 'night'
              ? { label: 'night', splits: function (u, i, min, max) {
                  // Whole nights only, at most about 8 labels.
                  var out = [], step = Math.max(1, Math.ceil((max - min) / 8));
                  for (var v = Math.ceil(min); v <= max; v += step) out.push(v);
                  return out;
                }, values: function (u, splits) { return splits.map(xFormat); } }
              : { label: 'seconds since start', values: function (u, splits) { return splits.map(xFormat); } },
          { label: spec.yAxis === 'latency-ms' ? 'latency' : spec.yAxis === 'count' ? 'count' : 'per second', size: 70,
            values: function (u, splits) { return splits.map(yFormat); } },
        ],
        series: [{ label: spec.xAxis === 'percentile' ? 'percentile' : spec.xAxis === 'night' ? 'night' : 'second', value: function (u, v) { return xFormat(v); } }]
          .concat(spec.series.map(function (s) {
            // Time series show their points where there is room (uPlot's default), so a lone second between empty ones is seen.
            var line = { label: s.label, stroke: s.color, width: 1.75, spanGaps: false,
              points: spec.xAxis === 'percentile' ? { show: false } : { size: 5, fill: s.color },
              value: function (u, v) { return yFormat(v); } };
            if (s.dash) line.dash = [6, 4];
            if (s.stepped) line.paths = uPlot.paths.stepped({ align: 1 });
            return line;
          })),
        plugins: [markersPlugin(spec.markers)],
        legend: { live: true },
      };
      var data = [spec.x.slice()].concat(spec.series.map(function (s) {
        return s.values.map(function (v) { return v == null || (spec.yLog && !(v > 0)) ? null : v; });
      }));
      var chart = new uPlot(opts, data, el);
      var points = 0;
      data.slice(1).forEach(function (vs) { vs.forEach(function (v) { if (v != null) points++; }); });
      window.matchbenchCharts[spec.id] = { series: spec.series.length, points: points, colors: spec.series.map(function (s) { return s.color; }),
        width: chart.width, height: chart.height };
    } catch (e) {
      console.error('chart ' + spec.id + ': ' + (e && e.stack || e));
    }
  });
})();
`;

/**
 * A self-contained HTML page: uPlot's script and stylesheet inlined from node_modules, the charts
 * embedded as JSON, no network needed to view it.
 */
export function htmlPage(options: HtmlPageOptions): string {
  const assets = uplot();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${assets.css}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<main>
${options.bodyHtml}
</main>
<script>${assets.script}</script>
<script type="application/json" id="matchbench-charts">${scriptJson(options.charts)}</script>
<script>${CHART_SCRIPT}</script>
</body>
</html>
`;
}
