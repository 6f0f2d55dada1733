/**
 * Where the compiled JavaScript of a repository module lives, for starting it on a worker thread.
 * Node 20 cannot run .ts, so ring workers always run from dist/, whether the code starting them runs
 * from dist/ (the CLI) or from the TypeScript sources (vitest, after `npm run build`; `npm test`
 * builds first). A missing build fails loudly: the worker cannot import the dist/ path it names.
 */

// This file is <repo>/engine/ring/builtModule.ts (sources) or <repo>/dist/engine/ring/builtModule.js.
const distRoot = new URL(import.meta.url.endsWith('.ts') ? '../../dist/' : '../../', import.meta.url);

/** The URL of the built module for a repository path such as `harness/bench/ringBench.worker.ts`. */
export function builtModuleUrl(repoPath: string): URL {
  return new URL(repoPath.replace(/\.ts$/, '.js'), distRoot);
}
