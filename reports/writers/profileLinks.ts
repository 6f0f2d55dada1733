import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { escapeHtml } from './htmlPage.js';

/** The subdirectory of a run directory that `matchbench profile` puts clinic's HTML reports in. */
export const PROFILE_DIR = 'profile';

/** The profiles of a run directory, relative to it (`profile/doctor.html`), sorted; none for a plain run. */
export function profileFiles(runDir: string): string[] {
  const dir = path.join(runDir, PROFILE_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name.endsWith('.html')).sort().map((name) => `${PROFILE_DIR}/${name}`);
}

/**
 * A row for report.html's identity section linking every profile of the run directory (relative
 * links: they work wherever the directory is copied); empty when there is none.
 */
export function profileLinksHtml(runDir: string): string {
  const files = profileFiles(runDir);
  if (files.length === 0) return '';
  const links = files.map((f) => `<a href="${escapeHtml(f)}">clinic ${escapeHtml(path.basename(f, '.html'))}</a> (${escapeHtml(f)})`);
  return `<dl class="identity"><dt>profile</dt><dd>${links.join(', ')}</dd></dl>`;
}
