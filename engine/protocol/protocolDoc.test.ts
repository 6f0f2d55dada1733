import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { messageLayouts } from './messageLayouts.js';
import { documentedCodeTables, refreshProtocolDoc, renderHeaderTable, renderLayoutTable } from './protocolDoc.js';

const docPath = fileURLToPath(new URL('../../docs/PROTOCOL.md', import.meta.url));
/** Read afresh by each test, so that after `-u` rewrote the file the later tests see the new text. */
const readDoc = (): string => readFileSync(docPath, 'utf8');

/** The rows `| code | name | meaning |` of the table under the heading `### <name>` in the doc. */
function documentedCodes(doc: string, name: string): [string, number][] {
  const section = doc.split(`\n### ${name}\n`)[1]?.split('\n#')[0] ?? '';
  return [...section.matchAll(/^\| (\d+) \| (\w+) \| .+ \|$/gm)].map((m) => [m[2]!, Number(m[1])]);
}

describe('docs/PROTOCOL.md', () => {
  it('holds exactly what the code renders in every generated part (run `npx vitest run engine/protocol -u` to rewrite them)', async () => {
    await expect(refreshProtocolDoc(readDoc())).toMatchFileSnapshot(docPath);
  });

  it('shows the header table and the byte table of every message type as rendered from the layouts', () => {
    const doc = readDoc();
    expect(doc).toContain(renderHeaderTable());
    for (const layout of messageLayouts) expect(doc, layout.name).toContain(renderLayoutTable(layout));
  });

  it('lists every code of codes.ts with its value, and no other', () => {
    const doc = readDoc();
    for (const [name, table] of Object.entries(documentedCodeTables)) {
      expect(documentedCodes(doc, name), name).toEqual(Object.entries(table));
    }
  });

  it('keeps the placeholder of the matching rules section', () => {
    expect(readDoc()).toMatch(/\n## Matching rules and event order\n\n<!-- matching-rules -->\n/);
  });
});
