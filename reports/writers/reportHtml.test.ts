import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectPage, type PageInspection } from '../inspectPage.testkit.js';
import { readRunDirectory } from '../readRunDirectory.js';
import { htmlPage, chartSlot, type ChartSpec } from './htmlPage.js';
import { REPORT_FILE, reportHtml } from './reportHtml.js';

// The built CLI, as a user runs it (npm test builds before it tests).
const cli = fileURLToPath(new URL('../../dist/harness/cli.js', import.meta.url));

/** Two short phases against the embedded engine with a fast and a slow subscriber: every chart has something to draw. */
const SCENARIO = `version: 1
name: report-tiny
symbols: { count: 1, startMid: 10000, minPrice: 5000, maxPrice: 15000 }
phases:
  - { name: calm, duration: 1s, rate: 150 }
  - { name: busy, duration: 1s, rate: 400 }
clients: { orderEntry: 2, workers: 1, marketData: [{ class: fast, count: 1 }, { class: slow, count: 1, bytesPerSecond: 5000 }] }
thresholds: [order_rtt.p99 < 10s, feed_gaps.fast == 0]
`;

describe('report.html in headless Chromium', () => {
  let dir = '';
  let page: PageInspection;
  let screenshotPath = '';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-report-'));
    fs.writeFileSync(path.join(dir, 'tiny.yaml'), SCENARIO);
    const out = path.join(dir, 'run');
    const r = spawnSync(process.execPath, [cli, 'run', path.join(dir, 'tiny.yaml'), '--seed', '3', '--out', out, '--quiet'],
      { encoding: 'utf8', timeout: 90_000 });
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    screenshotPath = path.join(dir, 'report.png');
    page = await inspectPage(path.join(out, REPORT_FILE), { screenshotPath });
  }, 120_000);

  it('is written by matchbench run, opens without console errors and fetches nothing from the network', () => {
    expect(page.errors).toEqual([]);
    expect(page.externalRequests).toEqual([]);
    expect(page.title).toMatch(/report-tiny seed 3 — PASSED/);
  });

  it('draws data in every chart: latency percentiles, latency and rate over time, feed latency', () => {
    expect(page.charts.map((c) => c.id)).toEqual(['latency-percentiles', 'latency-over-time', 'rate-over-time', 'feed-percentiles', 'feed-over-time']);
    for (const chart of page.charts) {
      expect(chart.state, chart.id).not.toBeNull();
      expect(chart.state?.points, chart.id).toBeGreaterThan(0);
      // Every series' colour is on the canvas: a line was drawn, not just axes and grid.
      for (const [i, pixels] of chart.pixelsBySeries.entries()) expect(pixels, `${chart.id} series ${i}`).toBeGreaterThan(10);
    }
    const feed = page.charts.find((c) => c.id === 'feed-percentiles');
    expect(feed?.state?.series).toBe(2);
  });

  it('produces a screenshot', () => {
    expect(page.screenshot?.subarray(1, 4).toString()).toBe('PNG');
    expect(fs.statSync(screenshotPath).size).toBeGreaterThan(20_000);
  });

  it('shows the identity, verdicts and feed table of the run', () => {
    const html = reportHtml(readRunDirectory(path.join(dir, 'run')));
    const result = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'result.json'), 'utf8')) as { streamHash: string; identity: { gitCommit: string } };
    expect(html).toContain(result.streamHash);
    expect(html).toContain(result.identity.gitCommit);
    expect(html).toMatch(/<code>feed_gaps.fast == 0<\/code><\/td><td>0<\/td><td class="pass">pass/);
    expect(html).toMatch(/invariants \(.*\): <span class="verdict good">all held/);
    expect(html).toMatch(/<td>slow<\/td><td>1<\/td>/);
  });
});

describe('chart pixel check', () => {
  it('finds no series pixels on a chart without data (so the check above can fail)', async () => {
    const spec: ChartSpec = { id: 'empty', title: 'empty', note: '', xAxis: 'seconds', yAxis: 'rate', yLog: false, x: [0, 1, 2],
      series: [{ label: 'nothing', color: '#d62728', values: [null, null, null] }], markers: [] };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-empty-chart-')), 'empty.html');
    fs.writeFileSync(file, htmlPage({ title: 'empty', bodyHtml: chartSlot(spec), charts: [spec] }));
    const page = await inspectPage(file);
    expect(page.errors).toEqual([]);
    expect(page.charts[0]?.state?.points).toBe(0);
    expect(page.charts[0]?.pixelsBySeries).toEqual([0]);
  }, 60_000);
});
