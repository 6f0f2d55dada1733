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
import { HAVOC_STREAM_DEFAULTS } from '../fuzz/runHavocStream.js';
import { parseTargetFlag } from '../scenario/parseTarget.js';

const MIB = 1024 * 1024;

interface FuzzArgs {
  target: string | undefined;
  quick: boolean;
  havoc: number | undefined;
  'havoc-case-frames': number;
  'havoc-frames': number;
  'probe-every': number;
  'max-rss-growth-mb': number;
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
 * order-entry port and, when it has one (`md=`, or the embedded engine), its market-data port,
 * each case on its own connection, then optionally streaming havoc (`--havoc-frames`), and checks
 * every answer against docs/PROTOCOL.md. Exit 0 when every case passed, 3 when one failed (or
 * streaming havoc found a problem), 5 when the target cannot be reached, 2 for usage errors.
 * docs/FUZZ.md describes the classes.
 */
export const fuzzCommand: CommandModule<object, FuzzArgs> = {
  command: 'fuzz',
  describe: 'Send malformed and hostile frames to an engine (default: the embedded reference engine) and check every answer',
  builder: (y) => y
    .option('target', { type: 'string', describe: 'tcp://host:port[,md=host:port]: an engine\'s order-entry port and, with md=, its market-data port ' +
      '(the md/* cases play there); default: start the embedded reference engine (both ports)' })
    .option('quick', { type: 'boolean', default: false, describe: 'The quick configuration: a sample of each class (CI)' })
    .option('havoc', { type: 'number', describe: `Seeded havoc cases after the catalogue (default ${DEFAULT_HAVOC_CASES.full}, quick ${DEFAULT_HAVOC_CASES.quick})` })
    .option('havoc-case-frames', { type: 'number', default: HAVOC_FRAMES_PER_CASE, describe: 'Mutated frames per havoc case' })
    .option('havoc-frames', { type: 'number', default: 0, describe: 'Streaming havoc: send this many seeded havoc frames, many per connection ' +
      '(a new one after each SESSION_ERROR), with liveness probes and an RSS check (the nightly sends 1,000,000)' })
    .option('probe-every', { type: 'number', default: HAVOC_STREAM_DEFAULTS.probeEveryFrames, describe: 'Streaming havoc: a liveness probe every this many frames' })
    .option('max-rss-growth-mb', { type: 'number', default: HAVOC_STREAM_DEFAULTS.maxRssGrowthBytes / MIB,
      describe: 'Streaming havoc: fail when the embedded engine\'s RSS grows by more than this (MiB; not checked for a --target)' })
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
    nonNegativeInt('havoc-case-frames', a['havoc-case-frames'], 1);
    nonNegativeInt('havoc-frames', a['havoc-frames']);
    nonNegativeInt('probe-every', a['probe-every'], 1);
    if (!(a['max-rss-growth-mb'] > 0 && a['max-rss-growth-mb'] < Infinity)) problems.push(`--max-rss-growth-mb must be a positive number, got ${a['max-rss-growth-mb']}`);
    nonNegativeInt('concurrency', a.concurrency, 1);
    nonNegativeInt('max-connections', a['max-connections'], 1);
    if (!Number.isSafeInteger(a.seed)) problems.push(`--seed must be a safe integer, got ${a.seed}`);
    if (!(a['deadline-s'] > 0)) problems.push(`--deadline-s must be positive, got ${a['deadline-s']}`);
    let remote: { host: string; port: number } | undefined;
    let remoteMd: { host: string; port: number } | undefined;
    if (a.target !== undefined) {
      const text = a.target.trim();
      const parsed = parseTargetFlag(text);
      if (!text.startsWith('tcp://')) {
        problems.push(`--target: "${a.target}" is not tcp://host:port[,md=host:port]`);
      } else if (!parsed.ok) {
        problems.push(...parsed.problems.map((p) => `--target: ${p}`));
      } else if (parsed.value.kind === 'tcp' && parsed.value.mdLayout !== undefined) {
        problems.push(`--target: md-layout=${parsed.value.mdLayout} names a feed that is not matchbench's protocol, and the market-data ` +
          'cases speak docs/PROTOCOL.md: leave out md= and md-layout= to fuzz the order-entry port only');
      } else if (parsed.value.kind === 'tcp') {
        remote = parsed.value.orderEntry;
        remoteMd = parsed.value.marketData ?? undefined;
      }
    }
    // The embedded engine has both ports; a --target has market data only with md=.
    const marketData = a.target === undefined || remoteMd !== undefined;
    const caseFrames = Number.isSafeInteger(a['havoc-case-frames']) && a['havoc-case-frames'] > 0 ? a['havoc-case-frames'] : HAVOC_FRAMES_PER_CASE;
    let cases: FuzzCase[] = [];
    if (a.case !== undefined) {
      const found = findFuzzCase(a.case, rules, caseFrames);
      if (found === undefined) {
        problems.push(`--case: no case "${a.case}" (ids look like crc/NEW_ORDER/bit-17, md/crc/LOGIN/bit-3, havoc/<seed>/<index> or havoc-stream/<seed>/<connection>/<batches>)`);
      } else if (found.channel === 'marketData' && !marketData) {
        problems.push(`--case ${a.case} plays on the market-data port: give --target tcp://host:port,md=host:port`);
      } else {
        cases = [found];
      }
    } else if (problems.length === 0) {
      const havocCases = a.havoc ?? (a.quick ? DEFAULT_HAVOC_CASES.quick : DEFAULT_HAVOC_CASES.full);
      cases = selectFuzzCases(rules, { quick: a.quick, havocCases, havocFramesPerCase: caseFrames, seed: a.seed, marketData });
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
      const marketDataTarget = remote === undefined ? { host: '127.0.0.1', port: engine!.marketData.port } : remoteMd;
      const streaming = a.case === undefined && a['havoc-frames'] > 0;
      if (!a.json) {
        process.stderr.write(`matchbench fuzz: ${cases.length} cases${streaming ? ` and ${a['havoc-frames']} streaming havoc frames` : ''} against ` +
          `${remote === undefined ? 'the embedded engine' : a.target}${marketData ? '' : ' (no md=: the market-data port is not fuzzed)'}\n`);
      }
      const report = await runFuzz(cases, {
        target, ...(marketDataTarget === undefined ? {} : { marketDataTarget }), rules, concurrency: a.concurrency, deadlineMs: a['deadline-s'] * 1000,
        ...(streaming ? { havocStream: {
          frames: a['havoc-frames'], seed: a.seed, probeEveryFrames: a['probe-every'], maxRssGrowthBytes: a['max-rss-growth-mb'] * MIB,
          deadlineMs: a['deadline-s'] * 1000,
          // The embedded engine runs in this process (its matcher on a worker thread): its RSS is ours.
          ...(engine === undefined ? {} : { rssBytes: () => process.memoryUsage().rss }),
          ...(a.json ? {} : { onProgress: (sent: number, total: number) => process.stderr.write(`matchbench fuzz: streaming havoc ${sent} / ${total} frames\n`) }),
        } } : {}),
      });
      const replayPrefix = ['matchbench fuzz', ...(a.target === undefined ? [] : [`--target ${a.target}`]),
        ...(a['havoc-case-frames'] === HAVOC_FRAMES_PER_CASE ? [] : [`--havoc-case-frames ${a['havoc-case-frames']}`])].join(' ');
      const text = formatFuzzReport(report, replayPrefix);
      if (a.out !== undefined) {
        fs.mkdirSync(a.out, { recursive: true });
        fs.writeFileSync(path.join(a.out, 'fuzz-report.json'), `${JSON.stringify({ seed: a.seed, quick: a.quick, ...report }, null, 2)}\n`);
        fs.writeFileSync(path.join(a.out, 'fuzz-report.md'), text);
      }
      process.stdout.write(a.json ? `${JSON.stringify({ seed: a.seed, quick: a.quick, ...report })}\n` : text);
      process.exitCode = report.failed > 0 || (report.havocStream?.failures.length ?? 0) > 0 ? ExitCode.Invariant : ExitCode.Ok;
    } catch (error) {
      if (!(error instanceof TargetError)) throw error;
      process.stderr.write(`matchbench fuzz: target not usable: ${error.message}\n`);
      process.exitCode = ExitCode.Target;
    } finally {
      await engine?.stop();
    }
  },
};
