/** Limits of {@link deltaDebug}; each documents its default. */
export interface DeltaDebugBudget {
  /** Most calls of the test. Default 2,000. */
  readonly maxTests?: number;
  /** Wall-clock limit, ms. Default 10,000. */
  readonly timeLimitMs?: number;
}

/** What {@link deltaDebug} found. */
export interface DeltaDebugResult<T> {
  /** The smallest failing list found (the input itself when nothing smaller failed). */
  readonly items: T[];
  /** Calls of the test made. */
  readonly tests: number;
  /** True when the search ran to the end (the result is 1-minimal: removing any one item makes it pass). */
  readonly complete: boolean;
}

/**
 * Zeller and Hildebrandt's ddmin: shrinks a failing list (order kept) by removing chunks while
 * `fails` still holds, halving the chunk size when no chunk can go. `fails(items)` must be true for
 * the input. Stops early at the budget and returns the smallest failing list found so far.
 */
export function deltaDebug<T>(input: readonly T[], fails: (items: readonly T[]) => boolean, budget: DeltaDebugBudget = {}): DeltaDebugResult<T> {
  const maxTests = budget.maxTests ?? 2_000;
  const deadline = performance.now() + (budget.timeLimitMs ?? 10_000);
  let items = [...input];
  let n = 2;
  let tests = 0;
  const test = (candidate: T[]): boolean => {
    tests++;
    return fails(candidate);
  };
  const outOfBudget = (): boolean => tests >= maxTests || performance.now() > deadline;
  while (items.length >= 2) {
    const chunk = Math.ceil(items.length / n);
    const parts: T[][] = [];
    for (let i = 0; i < items.length; i += chunk) parts.push(items.slice(i, i + chunk));
    let reduced = false;
    // A chunk alone, then everything but a chunk (which keeps the order of what stays).
    for (const part of parts) {
      if (outOfBudget()) return { items, tests, complete: false };
      if (part.length < items.length && test(part)) {
        items = part;
        n = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced && parts.length > 2) {
      for (let p = 0; p < parts.length; p++) {
        if (outOfBudget()) return { items, tests, complete: false };
        const complement = parts.filter((_, q) => q !== p).flat();
        if (test(complement)) {
          items = complement;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (n >= items.length) break;
      n = Math.min(items.length, n * 2);
    }
  }
  return { items, tests, complete: true };
}
