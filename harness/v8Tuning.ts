import v8 from 'node:v8';

/**
 * V8 flags the matcher and ring benchmarks run with (and nothing else: see below). The matcher's hot path (new order → checks → index →
 * match loop → event records → level and quote updates) is a chain of small calls deeper than
 * V8's default inlining budget (920 bytecodes per optimised function), so by default TurboFan
 * stops inlining part-way and every remaining call costs a frame and reloads of the book's fields.
 * Raising the budget let the matcher benchmark run about 50% faster on the project's machine
 * (5.0 → 7.5 M ops/s in one A/B run of the same build); the peer in the same process gets the
 * same runtime. They are set by `bench matcher` and `bench ring` before any hot code is
 * optimised; worker threads share the process's flags.
 *
 * Why only those two: for a whole engine and harness (sockets, sessions, codecs, histograms: far
 * more optimised functions) the larger budget keeps TurboFan's compiler threads busy without
 * settling — about 57% of all CPU in one profile of `bench engine`, which ran 2.5 to 10 times
 * slower with the flags than without. So `run`, `engine` and the other benchmarks use V8's defaults.
 */
export const V8_FLAGS = [
  '--max-inlined-bytecode-size-cumulative=50000',
  '--max-inlined-bytecode-size=5000',
  '--max-inlined-bytecode-size-absolute=50000',
] as const;

let applied: readonly string[] = [];

/** Applies {@link V8_FLAGS} unless MATCHBENCH_V8_DEFAULTS=1 (to measure without them). Returns the flags applied. */
export function tuneV8(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  if (env.MATCHBENCH_V8_DEFAULTS === '1') return [];
  for (const flag of V8_FLAGS) v8.setFlagsFromString(flag);
  applied = V8_FLAGS;
  return V8_FLAGS;
}

/** The flags {@link tuneV8} applied in this process (none until it is called). */
export function appliedV8Flags(): readonly string[] {
  return applied;
}
