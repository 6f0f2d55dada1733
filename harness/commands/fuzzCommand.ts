import fs from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { Engine } from '../../engine/Engine.js';
import { TargetError } from '../clients/TargetError.js';
import { ExitCode } from '../exitCodes.js';
import { formatFuzzReport } from '../fuzz/formatFuzzReport.js';
import type { FuzzCase } from '../fuzz/FuzzCase.js';
import { FUZZ_RULES_DEFAULTS } from '../fuzz/fuzzRules.js';
import { HAVOC_FRAMES_PER_CASE } from '../fuzz/havocCase.js';
import { RUN_FUZZ_DEFAULTS, runFuzz } from '../fuzz/runFuzz.js';
import { findFuzzCase, selectFuzzCases } from '../fuzz/selectFuzzCases.js';
import { parseHostPort } from '../scenario/parseTarget.js';

interface FuzzArgs {
  target: string | undefined;
  quick: boolean;
  havoc: number | undefined;
  'havoc-frames': number;
  seed: number;
  case: string | undefined;
  json: boolean;
  out: string | undefined;
  concurrency: number;
  'max-connections': number | undefined;
  'deadline-s': number;
}

/** Havoc cases when `--havoc` is not given: quick and full configuration. */
export const DEFAULT_HAVOC_CASES = { quick: 50, full: 500 } as const;

/**
 * `matchbench fuzz`: plays the malicious-frame catalogue (and seeded havoc) against an engine's
 * order-entry port, each case on its own connection, and checks every answer against
 * docs/PROTOCOL.md. Exit 0 when every case passed, 3 when one failed, 5 when the target cannot be
 * reached, 2 for usage errors. docs/FUZZ.md describes the classes.
 */
export const fuzzCommand: CommandModule<object, FuzzArgs> = {
  command: 'fuzz',
  describe: 'Send malformed and hostile frames to an engine (default: the embedded reference engine) and check every answer',
  builder: (y) => y
    .option('target', { type: 'string', describe: 'tcp://host:port of an engine\'s order-entry port (default: start the embedded reference engine)' })
    .option('quick', { type: 'boolean', default: false, describe: 'The quick configuration: a sample of each class (CI)' })
    .option('havoc', { type: 'number', describe: `Seeded havoc cases after the catalogue (default ${DEFAULT_HAVOC_CASES.full}, quick ${DEFAULT_HAVOC_CASES.quick})` })
    .option('havoc-frames', { type: 'number', default: HAVOC_FRAMES_PER_CASE, describe: 'Mutated frames per havoc case' })
    .option('seed', { type: 'number', default: 1, describe: 'Seed of the havoc cases' })
    .option('case', { type: 'string', describe: 'Replay one case by its id (from a report)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the report as one JSON object' })
    .option('out', { type: 'string', describe: 'Directory to write fuzz-report.json and fuzz-report.md into' })
    .option('concurrency', { type: 'number', default: RUN_FUZZ_DEFAULTS.concurrency, describe: 'Connections at once' })
    .option('max-connections', { type: 'number', describe: 'The target\'s order-entry connection limit, for the churn/beyond-limit case ' +
      '(the embedded engine is started with it; default there 4 × concurrency + 16; without it a --target gets no such case)' })
    .option('deadline-s', { type: 'number', default: RUN_FUZZ_DEFAULTS.deadlineMs / 1000, describe: 'Start no case after this many seconds' }),
  handler: async (a) => {
    const maxConnections = a['max-connections'] ?? (a.target === undefined ? 4 * a.concurrency + 16 : undefined);
    const rules = maxConnections === undefined ? FUZZ_RULES_DEFAULTS : { ...FUZZ_RULES_DEFAULTS, maxConnections };
    const problems: string[] = [];
    const nonNegativeInt = (name: string, value: number | undefined, min = 0): void => {
      if (value !== undefined && !(Number.isSafeInteger(value) && value >= min)) problems.push(`--${name} must be an integer ≥ ${min}, got ${value}`);
    };
    nonNegativeInt('havoc', a.havoc);
    nonNegativeInt('havoc-frames', a['havoc-frames'], 1);
    nonNegativeInt('concurrency', a.concurrency, 1);
    nonNegativeInt('max-connections', a['max-connections'], 1);
    if (!Number.isSafeInteger(a.seed)) problems.push(`--seed must be a safe integer, got ${a.seed}`);
    if (!(a['deadline-s'] > 0)) problems.push(`--deadline-s must be positive, got ${a['deadline-s']}`);
    let remote: { host: string; port: number } | undefined;
    if (a.target !== undefined) {
      const text = a.target.trim();
      if (!text.startsWith('tcp://')) {
        problems.push(`--target: "${a.target}" is not tcp://host:port`);
      } else {
        const parsed = parseHostPort(text.slice('tcp://'.length).replace(/\/$/, ''));
        if (parsed.ok) remote = parsed.value;
        else problems.push(...parsed.problems.map((p) => `--target: ${p}`));
      }
    }
    let cases: FuzzCase[] = [];
    if (a.case !== undefined) {
      const found = findFuzzCase(a.case, rules, Number.isSafeInteger(a['havoc-frames']) && a['havoc-frames'] > 0 ? a['havoc-frames'] : HAVOC_FRAMES_PER_CASE);
      if (found === undefined) problems.push(`--case: no case "${a.case}" (ids look like crc/NEW_ORDER/bit-17 or havoc/<seed>/<index>)`);
      else cases = [found];
    } else if (problems.length === 0) {
      const havocCases = a.havoc ?? (a.quick ? DEFAULT_HAVOC_CASES.quick : DEFAULT_HAVOC_CASES.full);
      cases = selectFuzzCases(rules, { quick: a.quick, havocCases, havocFramesPerCase: a['havoc-frames'], seed: a.seed });
    }
    if (problems.length > 0) {
      process.stderr.write(problems.map((p) => `matchbench fuzz: ${p}\n`).join(''));
      process.exitCode = ExitCode.Usage;
      return;
    }

    let engine: Engine | undefined;
    try {
      if (remote === undefined) {
        engine = await Engine.start({ symbols: [rules.sweepSymbol, rules.semanticSymbol], maxConnections: rules.maxConnections ?? 4 * a.concurrency + 16 });
      }
      const target = remote ?? { host: '127.0.0.1', port: engine!.orderEntry.port };
      if (!a.json) process.stderr.write(`matchbench fuzz: ${cases.length} cases against ${remote === undefined ? 'the embedded engine' : a.target}\n`);
      const report = await runFuzz(cases, {
        target, rules, concurrency: a.concurrency, deadlineMs: a['deadline-s'] * 1000,
      });
      const replayPrefix = ['matchbench fuzz', ...(a.target === undefined ? [] : [`--target ${a.target}`]),
        ...(a['havoc-frames'] === HAVOC_FRAMES_PER_CASE ? [] : [`--havoc-frames ${a['havoc-frames']}`])].join(' ');
      const text = formatFuzzReport(report, replayPrefix);
      if (a.out !== undefined) {
        fs.mkdirSync(a.out, { recursive: true });
        fs.writeFileSync(path.join(a.out, 'fuzz-report.json'), `${JSON.stringify({ seed: a.seed, quick: a.quick, ...report }, null, 2)}\n`);
        fs.writeFileSync(path.join(a.out, 'fuzz-report.md'), text);
      }
      process.stdout.write(a.json ? `${JSON.stringify({ seed: a.seed, quick: a.quick, ...report })}\n` : text);
      process.exitCode = report.failed > 0 ? ExitCode.Invariant : ExitCode.Ok;
    } catch (error) {
      if (!(error instanceof TargetError)) throw error;
      process.stderr.write(`matchbench fuzz: target not usable: ${error.message}\n`);
      process.exitCode = ExitCode.Target;
    } finally {
      await engine?.stop();
    }
  },
};
