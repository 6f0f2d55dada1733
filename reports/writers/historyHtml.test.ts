import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildHistory, type HistoryResult } from '../history/buildHistory.js';
import { findRunDirectories } from '../history/findRunDirectories.js';
import { writeSyntheticNightly } from '../history/syntheticRun.testkit.js';
import { inspectPage, type PageInspection } from '../inspectPage.testkit.js';
import { readRunDirectory } from '../readRunDirectory.js';
import { HISTORY_HTML_FILE, historyChartId, historyHtml } from './historyHtml.js';

describe('history.html in headless Chromium', () => {
  let dir = '';
  let history: HistoryResult;
  let html = '';
  let page: PageInspection;
  let screenshotPath = '';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matchbench-history-html-'));
    writeSyntheticNightly(dir);
    const built = buildHistory(findRunDirectories(dir).map((f) => ({ run: readRunDirectory(f.dir), night: f.night })),
      { metrics: ['throughput', 'order_rtt.p99', 'feed_gaps'] });
    if (!built.ok) throw new Error(built.problems.join('\n'));
    history = built.history;
    html = historyHtml(history, dir);
    fs.writeFileSync(path.join(dir, HISTORY_HTML_FILE), html);
    screenshotPath = path.join(dir, 'history.png');
    page = await inspectPage(path.join(dir, HISTORY_HTML_FILE), { screenshotPath });
  }, 120_000);

  it('opens without console errors and fetches nothing from the network', () => {
    expect(page.errors).toEqual([]);
    expect(page.externalRequests).toEqual([]);
    expect(page.title).toMatch(/^matchbench history — REGRESSION \(2\)$/);
  });

  it('draws one chart per scenario and metric, each with its nightly values on the canvas', () => {
    expect(page.charts.map((c) => c.id)).toEqual([
      historyChartId('rate-y', 'throughput'), historyChartId('rate-y', 'order_rtt.p99'),
      historyChartId('steady-x', 'throughput'), historyChartId('steady-x', 'order_rtt.p99'), historyChartId('steady-x', 'feed_gaps.fast')]);
    for (const chart of page.charts) {
      // Segment mean, fastest and slowest repeat, nightly median: one value per night each.
      expect(chart.state, chart.id).toEqual(expect.objectContaining({ series: 4, points: 4 * 14 }));
      // The median is drawn last, on top: its colour must be on the canvas, not just axes and grid.
      expect(chart.pixelsBySeries[3], chart.id).toBeGreaterThan(10);
    }
    // Where the repeats and segments differ from the median (noisy latency), every line shows.
    for (const id of [historyChartId('rate-y', 'order_rtt.p99'), historyChartId('steady-x', 'order_rtt.p99')]) {
      const chart = page.charts.find((c) => c.id === id);
      for (const [i, pixels] of (chart?.pixelsBySeries ?? []).entries()) expect(pixels, `${id} series ${i}`).toBeGreaterThan(10);
    }
  });

  it('marks change points in the charts and the table, the regressed latest segments highlighted', () => {
    expect(html).toMatch(/"markers":\[\{"x":7\.5,"label":"worse \+\d+\.\d%"\}\]/);
    expect(html).toMatch(/"markers":\[\{"x":5\.5,"label":"worse −20\.0%"\}\]/);
    expect(html).toMatch(/<tr class="regression"><td>order_rtt\.p99<\/td>(<td>[^<]*<\/td>){4}<td>REGRESSION night-42 \+\d+\.\d% worse \(p=0\.0\d+\)<\/td><\/tr>/);
    expect(html).toMatch(/<tr><td>feed_gaps\.fast<\/td><td>0<\/td><td>0<\/td><td>0<\/td><td>0<\/td><td>–<\/td><\/tr>/);
    expect(html).toContain('<td>night-98</td><td>2026-11-01T02:00:00.000Z</td><td>aaaaaaaaaaaa</td><td>2</td><td>1000, 1001</td>');
  });

  it('produces a screenshot', () => {
    expect(page.screenshot?.subarray(1, 4).toString()).toBe('PNG');
    expect(fs.statSync(screenshotPath).size).toBeGreaterThan(20_000);
  });
});
