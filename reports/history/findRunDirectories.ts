import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { RUN_FILES } from '../writers/writeRunDirectory.js';

/** A run directory found under a history directory. */
export interface FoundRun {
  readonly dir: string;
  /**
   * The night it belongs to: the name of the directory right under the history directory when the
   * run sits deeper (`<night>/<run>/`, `<night>/<scenario>/<run>/`); null for a run right under it
   * (its night is then the UTC date it started, see buildHistory).
   */
  readonly night: string | null;
}

/** How deep {@link findRunDirectories} looks by default: `<night>/<scenario>/<run>/result.json`. */
export const RUN_SEARCH_DEPTH = 3;

/**
 * Every run directory (a directory holding result.json) under `root`, up to `maxDepth` levels
 * down, in path order; `root` itself when it is one. A run directory is not searched further, and
 * hidden directories (`.git`, `.cache`) are skipped.
 */
export function findRunDirectories(root: string, maxDepth: number = RUN_SEARCH_DEPTH): FoundRun[] {
  if (existsSync(path.join(root, RUN_FILES.result))) return [{ dir: root, night: null }];
  const found: FoundRun[] = [];
  const walk = (dir: string, depth: number, night: string | null): void => {
    const subs = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name).sort();
    for (const name of subs) {
      const sub = path.join(dir, name);
      if (existsSync(path.join(sub, RUN_FILES.result))) found.push({ dir: sub, night });
      else if (depth < maxDepth) walk(sub, depth + 1, night ?? name);
    }
  };
  walk(root, 1, null);
  return found;
}
