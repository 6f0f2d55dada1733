import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

/** Options of {@link inspectPage}; each documents its default. */
export interface InspectPageOptions {
  /** The Chromium binary. Default {@link INSPECT_PAGE_DEFAULTS} (Debian's `chromium`, installed by .ci/run). */
  readonly executablePath?: string;
  /** Where to write a full-page PNG screenshot; default none. */
  readonly screenshotPath?: string;
  /** The window, in CSS px. Default 1366 x 900 (a laptop screen). */
  readonly viewport?: { readonly width: number; readonly height: number };
  /** Longest wait for the page, ms. Default 30 000. */
  readonly timeoutMs?: number;
}

export const INSPECT_PAGE_DEFAULTS = {
  executablePath: '/usr/bin/chromium',
  viewport: { width: 1366, height: 900 },
  timeoutMs: 30_000,
} as const;

/** What a page drew, per chart. */
export interface ChartInspection {
  readonly id: string;
  /** What the page's script says it gave the chart (`window.matchbenchCharts[id]`), or null if it never did. */
  readonly state: { readonly series: number; readonly points: number; readonly colors: readonly string[] } | null;
  /** Pixels of the chart's canvas within a small distance of each series colour (anti-aliasing allowed for), in series order. */
  readonly pixelsBySeries: readonly number[];
  readonly canvasPixels: number;
}

/** The outcome of opening a page in Chromium. */
export interface PageInspection {
  /** Console errors and uncaught page errors, in order. */
  readonly errors: readonly string[];
  /** Requests the page made for anything but itself (a self-contained page makes none). */
  readonly externalRequests: readonly string[];
  readonly charts: readonly ChartInspection[];
  /** The PNG screenshot, if asked for (also written to `screenshotPath`). */
  readonly screenshot: Buffer | null;
  readonly title: string;
}

/** The little of the DOM the page evaluation uses (this project compiles without the DOM library). */
interface BrowserDocument {
  querySelectorAll(selector: string): Iterable<{ readonly id: string; querySelector(selector: 'canvas'): BrowserCanvas | null }>;
}
interface BrowserCanvas {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { readonly data: Uint8ClampedArray } } | null;
}

/** Flags that keep a headless Chromium off the network and quiet, in a container. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

/**
 * Opens an HTML file written by the report writers in real headless Chromium (playwright-core)
 * and reports what it drew: for every `.plot` element, the page's chart state and how many canvas
 * pixels carry each series' colour, plus console errors, outside requests and a screenshot. This is
 * how tests tell a chart that drew its data from an empty canvas with axes.
 *
 * Test machinery only: the `.testkit.ts` name keeps it out of dist/ (tsconfig.build.json), since
 * playwright-core is a devDependency an installed matchbench does not have.
 */
export async function inspectPage(file: string, options: InspectPageOptions = {}): Promise<PageInspection> {
  const browser = await chromium.launch({ executablePath: options.executablePath ?? INSPECT_PAGE_DEFAULTS.executablePath, args: CHROMIUM_ARGS,
    timeout: options.timeoutMs ?? INSPECT_PAGE_DEFAULTS.timeoutMs });
  try {
    const page = await browser.newPage({ viewport: { ...(options.viewport ?? INSPECT_PAGE_DEFAULTS.viewport) } });
    const errors: string[] = [];
    const externalRequests: string[] = [];
    const url = pathToFileURL(file).href;
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => { if (r.url() !== url) externalRequests.push(r.url()); });
    await page.goto(url, { waitUntil: 'load', timeout: options.timeoutMs ?? INSPECT_PAGE_DEFAULTS.timeoutMs });
    const charts = await page.evaluate(() => {
      const states = (globalThis as unknown as { matchbenchCharts?: Record<string, { series: number; points: number; colors: string[] }> })
        .matchbenchCharts ?? {};
      const hex = (c: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) as [number, number, number];
      const doc = (globalThis as unknown as { document: BrowserDocument }).document;
      return [...doc.querySelectorAll('.plot')].map((el) => {
        const state = states[el.id] ?? null;
        const canvas = el.querySelector('canvas');
        const colors = (state?.colors ?? []).map(hex);
        const counts = colors.map(() => 0);
        let canvasPixels = 0;
        const ctx = canvas?.getContext('2d');
        if (canvas !== null && ctx !== null && ctx !== undefined) {
          const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          canvasPixels = canvas.width * canvas.height;
          for (let p = 0; p < data.length; p += 4) {
            if ((data[p + 3] ?? 0) < 128) continue;
            colors.forEach(([r, g, b], s) => {
              if (Math.abs((data[p] ?? 0) - r) + Math.abs((data[p + 1] ?? 0) - g) + Math.abs((data[p + 2] ?? 0) - b) < 60) counts[s] = (counts[s] ?? 0) + 1;
            });
          }
        }
        return { id: el.id, state, pixelsBySeries: counts, canvasPixels };
      });
    });
    const screenshot = options.screenshotPath === undefined ? null : await page.screenshot({ path: options.screenshotPath, fullPage: true });
    return { errors, externalRequests, charts, screenshot, title: await page.title() };
  } finally {
    await browser.close();
  }
}
