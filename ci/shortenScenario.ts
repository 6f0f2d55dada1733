import { parse, stringify } from 'yaml';
import { parseDuration } from '../harness/scenario/parseDuration.js';

/** How `npm run nightly -- --quick` shrinks a scenario: the tiny configuration for tests and a first try. */
export interface ShortenOptions {
  /** Total length of the phases after shortening, s (a scenario already shorter is left as long as it is). */
  readonly totalSeconds: number;
  /** At most this many subscribers per market-data group (fanout-1000's 800 fast ones would swamp a test machine). */
  readonly maxSubscribersPerGroup: number;
}

/**
 * Thresholds on timing (latency percentiles, the arrivals test) that a shortened run drops: a run of
 * a few seconds mostly measures its own warm-up (JIT, connection set-up), so its p99 says nothing
 * about the engine. Correctness and counting thresholds (errors, gaps, invariants) stay.
 */
export const TIMING_THRESHOLD = /^\s*(\w+_rtt|\w+_service_time|feed_latency|send_lag|arrivals)\b/;

export const SHORTEN_DEFAULTS: ShortenOptions = { totalSeconds: 3, maxSubscribersPerGroup: 2 };

type Mutable = Record<string, unknown>;
const isMap = (v: unknown): v is Mutable => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Returns the scenario file `text` with every phase scaled to fit in `totalSeconds` (durations,
 * and a spike's `at` and `width` with them, so it still ends inside its phase) and every
 * market-data group capped at `maxSubscribersPerGroup`, and the timing thresholds dropped
 * ({@link TIMING_THRESHOLD}). Rates, the order mix and the other thresholds stay: the shortened run
 * exercises the same code paths at the same intensity, just briefly; it checks the plumbing, not the speed.
 * Anything it does not understand is left alone for `matchbench run` to validate and report.
 */
export function shortenScenario(text: string, options: ShortenOptions = SHORTEN_DEFAULTS): string {
  const doc: unknown = parse(text);
  if (!isMap(doc)) return text;
  const phases = Array.isArray(doc.phases) ? doc.phases.filter(isMap) : [];
  const msOf = (v: unknown): number | undefined => {
    const d = parseDuration(v);
    return d.ok ? d.ms : undefined;
  };
  const totalMs = phases.reduce((s, p) => s + (msOf(p.duration) ?? 0), 0);
  const factor = totalMs > 0 ? Math.min(1, (options.totalSeconds * 1000) / totalMs) : 1;
  if (factor < 1) {
    for (const phase of phases) {
      const ms = msOf(phase.duration);
      if (ms === undefined) continue;
      phase.duration = `${Math.max(1, Math.ceil(ms * factor))}ms`;
      const rate = phase.rate;
      if (isMap(rate) && rate.kind === 'spike') {
        for (const key of ['at', 'width'] as const) {
          const v = msOf(rate[key]);
          // Floor (at least 1 ms wide) so that at + width stays within the ceil'd phase.
          if (v !== undefined) rate[key] = `${Math.max(key === 'width' ? 1 : 0, Math.floor(v * factor))}ms`;
        }
      }
    }
  }
  const clients = doc.clients;
  if (isMap(clients) && Array.isArray(clients.marketData)) {
    for (const group of clients.marketData.filter(isMap)) {
      if (typeof group.count === 'number') group.count = Math.min(group.count, options.maxSubscribersPerGroup);
    }
  }
  if (Array.isArray(doc.thresholds)) {
    doc.thresholds = doc.thresholds.filter((t) => !(typeof t === 'string' && TIMING_THRESHOLD.test(t)));
  }
  return `# Shortened by matchbench nightly --quick (x${factor.toFixed(3)} time, ≤ ${options.maxSubscribersPerGroup} subscribers per group, no timing thresholds)\n${stringify(doc)}`;
}
