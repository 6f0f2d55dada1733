import v8 from 'node:v8';

/**
 * V8 flags the matchbench process runs with. The matcher's hot path (new order → checks → index →
 * match loop → event records → level and quote updates) is a chain of small calls deeper than
 * V8's default inlining budget (920 bytecodes per optimised function), so by default TurboFan
 * stops inlining part-way and every remaining call costs a frame and reloads of the book's fields.
 * Raising the budget let the matcher benchmark run about 50% faster on the project's machine
 * (5.0 → 7.5 M ops/s in one A/B run of the same build); the peer in the same process gets the
 * same runtime. They are set once, at the start of the CLI, before any hot code is optimised;
 * worker threads share the process's flags.
 */
export const V8_FLAGS = [
  '--max-inlined-bytecode-size-cumulative=50000',
  '--max-inlined-bytecode-size=5000',
  '--max-inlined-bytecode-size-absolute=50000',
] as const;

/** Applies {@link V8_FLAGS} unless MATCHBENCH_V8_DEFAULTS=1 (to measure without them). Returns the flags applied. */
export function tuneV8(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  if (env.MATCHBENCH_V8_DEFAULTS === '1') return [];
  for (const flag of V8_FLAGS) v8.setFlagsFromString(flag);
  return V8_FLAGS;
}
