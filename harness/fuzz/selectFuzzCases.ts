import { fuzzCatalogue } from './fuzzCatalogue.js';
import type { FuzzCase } from './FuzzCase.js';
import type { FuzzRules } from './fuzzRules.js';
import { HAVOC_FRAMES_PER_CASE, havocCase, parseHavocCaseId } from './havocCase.js';
import { mdFuzzCatalogue } from './mdFuzzCatalogue.js';
import { havocStreamCase } from './runHavocStream.js';

/** Which cases a fuzz run plays; each documents its default. */
export interface FuzzSelection {
  /**
   * The quick configuration: at most {@link QUICK_CASES_PER_CLASS} catalogue cases per class,
   * evenly spaced through the class (every semantic case), for CI and the test suite. Default false.
   */
  readonly quick?: boolean;
  /** Havoc cases after the catalogue. Default 0. */
  readonly havocCases?: number;
  /** Mutated frames per havoc case. Default {@link HAVOC_FRAMES_PER_CASE}. */
  readonly havocFramesPerCase?: number;
  /** Seed of the havoc cases. Default 1. */
  readonly seed?: number;
  /** Add the market-data port's catalogue (mdFuzzCatalogue.ts), sampled like the rest under `quick`. Default false. */
  readonly marketData?: boolean;
}

/** Catalogue cases per class in the quick configuration. */
export const QUICK_CASES_PER_CLASS = 40;

/** The cases of a run: the catalogue (whole, or its quick sample), then the havoc cases. */
export function selectFuzzCases(rules: FuzzRules, selection: FuzzSelection = {}): FuzzCase[] {
  const catalogue = [...fuzzCatalogue(rules), ...(selection.marketData === true ? mdFuzzCatalogue(rules) : [])];
  const chosen = selection.quick === true ? quickSample(catalogue) : catalogue;
  const seed = selection.seed ?? 1;
  const frames = selection.havocFramesPerCase ?? HAVOC_FRAMES_PER_CASE;
  const havoc = Array.from({ length: selection.havocCases ?? 0 }, (_, i) => havocCase(seed, i, rules, frames));
  return [...chosen, ...havoc];
}

/**
 * The case with this id: a catalogue case (order entry, or `md/…` market data), a havoc case
 * `havoc/<seed>/<index>` (rebuilt from its seed and index, with `havocFramesPerCase` frames), a
 * streaming-havoc connection `havoc-stream/<seed>/<connection>/<batches>`, or undefined.
 */
export function findFuzzCase(id: string, rules: FuzzRules, havocFramesPerCase = HAVOC_FRAMES_PER_CASE): FuzzCase | undefined {
  const havoc = parseHavocCaseId(id);
  if (havoc !== undefined) return havocCase(havoc.seed, havoc.index, rules, havocFramesPerCase);
  if (id.startsWith('havoc-stream/')) return havocStreamCase(id, rules);
  if (id.startsWith('md/')) return mdFuzzCatalogue(rules).find((c) => c.id === id);
  return fuzzCatalogue(rules).find((c) => c.id === id);
}

function quickSample(catalogue: readonly FuzzCase[]): FuzzCase[] {
  const byClass = new Map<string, FuzzCase[]>();
  for (const c of catalogue) {
    const list = byClass.get(c.class) ?? [];
    list.push(c);
    byClass.set(c.class, list);
  }
  const chosen: FuzzCase[] = [];
  for (const list of byClass.values()) {
    if (list[0]?.class === 'semantic' || list.length <= QUICK_CASES_PER_CLASS) {
      chosen.push(...list);
      continue;
    }
    const step = list.length / QUICK_CASES_PER_CLASS;
    for (let i = 0; i < QUICK_CASES_PER_CLASS; i++) chosen.push(list[Math.floor(i * step)]!);
  }
  return chosen;
}
