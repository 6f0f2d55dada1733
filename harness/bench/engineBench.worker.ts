/**
 * A load thread of the engine benchmark (started by engineBench.ts from dist/): opens its share
 * of the connections for each phase, drives them, and answers with counts, encoded histograms and
 * what the connections believe rests on the book. Its own event loop, so the load does not share
 * the engine's.
 *
 *   throughput: each connection sends `window` requests, then one more per response (closed loop)
 *   latency:    setImmediate loop; each connection sends at its Poisson arrival times (open loop),
 *               whatever came back, skipping (and counting) arrivals while its client is backpressured
 *   both:       stop sending at durationMs (or the count bound), drain the answers (bounded)
 *   close:      LOGOUT every connection (sessions span both phases), then report the believed resting orders
 *   open again: fresh sessions to another target (the echo peer), same client ids, seeds and arrival streams
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { monotonicNowNs } from '../../engine/gateway/monotonicNowNs.js';
import { Rng } from '../generate/Rng.js';
import { HistogramSet } from '../record/HistogramSet.js';
import { EngineBenchConnection, type ConnectionRecorder } from './EngineBenchConnection.js';
import type { LoadOpenRequest, LoadPhaseRequest, LoadReply, LoadRequest, PhaseDone } from './engineBenchProtocol.js';

if (parentPort === null) throw new Error('engineBench.worker.ts runs as a worker thread');
const port: MessagePort = parentPort;

const NS_PER_MS = 1_000_000;
/** Problems described per kind; the rest are counted. */
const DETAILS_PER_KIND = 3;
/** Stream offset of the arrival-time generators, so they never share a stream with a connection's flow. */
const ARRIVAL_STREAMS = 1_000_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Most requests one connection sends in one turn of the latency loop. A load thread that fell
 * behind its schedule (its core taken by other work) would otherwise send every overdue arrival in
 * one turn without reading: once, a few seconds of backlog went out that way, the thread read
 * nothing for 3 s and its sessions ended on their own heartbeat timeout. Overdue arrivals keep
 * their intended send times, so the corrected latency still counts the delay.
 */
const MAX_SENDS_PER_TURN = 64;

/** Collects problems: up to DETAILS_PER_KIND described per kind, the rest counted. */
class ProblemLog {
  private readonly byKind = new Map<string, { details: string[]; count: number }>();
  add(kind: string, detail: string): void {
    let entry = this.byKind.get(kind);
    if (entry === undefined) this.byKind.set(kind, entry = { details: [], count: 0 });
    entry.count++;
    if (entry.details.length < DETAILS_PER_KIND) entry.details.push(detail);
  }
  lines(): string[] {
    const out: string[] = [];
    for (const [kind, { details, count }] of this.byKind) {
      out.push(...details);
      if (count > details.length) out.push(`… and ${count - details.length} more problems of kind '${kind}'`);
    }
    return out;
  }
}

/** The open connections, from `open` to `close`. */
let connections: EngineBenchConnection[] = [];
/** Problems found outside a phase (a report between phases, a session end). */
let idleProblems = new ProblemLog();

function recorderFor(problems: ProblemLog, histograms: HistogramSet | undefined): ConnectionRecorder {
  const set = histograms ?? new HistogramSet();
  return {
    intended: set.get('rtt.intended'),
    service: set.get('rtt.service'),
    recording: histograms !== undefined,
    rejects: {},
    problem: (kind, detail) => problems.add(kind, detail),
  };
}

async function open(req: LoadOpenRequest): Promise<LoadReply> {
  idleProblems = new ProblemLog();
  const recorder = recorderFor(idleProblems, undefined);
  connections = await Promise.all(Array.from({ length: req.connections }, (_, i) => EngineBenchConnection.open({
    host: req.host, port: req.port, clientId: req.firstClientId + i, seed: req.seed, stream: req.firstClientId + i, flow: req.flow,
    recorder, dropEveryNthReport: req.dropEveryNthReport, checkBeliefs: req.checkBeliefs,
  })));
  return { type: 'opened' };
}

async function runPhase(req: LoadPhaseRequest): Promise<PhaseDone> {
  const closedLoop = req.mode === 'throughput';
  const problems = new ProblemLog();
  const histograms = new HistogramSet();
  const recorder = recorderFor(problems, closedLoop ? undefined : histograms);
  const before = connections.map((c) => ({ newOrders: c.newOrdersSent, cancels: c.cancelsSent, completed: c.completed }));
  const sentInPhase = (c: EngineBenchConnection, i: number): number =>
    c.newOrdersSent + c.cancelsSent - (before[i] as { newOrders: number }).newOrders - (before[i] as { cancels: number }).cancels;
  let sending = false;
  let warmEndNs = Infinity;
  let endNs = Infinity;
  let completedInWindow = 0;
  let skippedBackpressure = 0;
  let overloaded = false;
  connections.forEach((c, i) => {
    c.recorder = recorder;
    c.onResponse = !closedLoop ? () => {} : (connection, receivedNs) => {
      if (receivedNs >= warmEndNs && receivedNs <= endNs) completedInWindow++;
      if (sending && receivedNs < endNs && connection.client.active && sentInPhase(connection, i) < req.maxRequestsPerConnection) {
        connection.send(receivedNs);
      }
    };
  });

  const startedNs = monotonicNowNs();
  endNs = startedNs + req.durationMs * NS_PER_MS;
  sending = true;
  if (closedLoop) {
    warmEndNs = startedNs + req.warmupMs * NS_PER_MS;
    connections.forEach((c, i) => {
      for (let k = 0; k < req.window && sentInPhase(c, i) < req.maxRequestsPerConnection && c.client.active; k++) c.send(startedNs);
    });
    await sleep(req.durationMs);
  } else {
    const ratePerConnectionHz = req.rateHz / connections.length;
    const arrivals = connections.map((c) => Rng.stream(c.seed, ARRIVAL_STREAMS + c.clientId));
    const nextNs = arrivals.map((rng) => startedNs + rng.exponential(ratePerConnectionHz) * 1e9);
    await new Promise<void>((resolve) => {
      const turn = (): void => {
        const nowNs = monotonicNowNs();
        for (let i = 0; i < connections.length; i++) {
          const c = connections[i] as EngineBenchConnection;
          const rng = arrivals[i] as Rng;
          let due = nextNs[i] as number;
          let sends = 0;
          while (due <= nowNs && due < endNs && sends++ < MAX_SENDS_PER_TURN && sentInPhase(c, i) < req.maxRequestsPerConnection && c.client.active) {
            if (c.outstanding >= req.maxOutstandingPerConnection) {
              overloaded = true;
              break;
            }
            if (c.client.backpressured) skippedBackpressure++;
            else c.send(due);
            due += rng.exponential(ratePerConnectionHz) * 1e9;
          }
          nextNs[i] = due;
        }
        // Past the end, overdue arrivals (held back by MAX_SENDS_PER_TURN) still go out, for at most a second more.
        if (overloaded || (nowNs >= endNs && (nextNs.every((due) => due >= endNs) || nowNs >= endNs + 1_000 * NS_PER_MS))) resolve();
        else setImmediate(turn);
      };
      setImmediate(turn);
    });
  }
  sending = false;
  const stoppedNs = monotonicNowNs();

  // Drain: every request's answer, within drainTimeoutMs.
  const drainDeadlineMs = performance.now() + req.drainTimeoutMs;
  while (connections.some((c) => c.outstanding > 0 && c.client.active) && performance.now() < drainDeadlineMs) await sleep(2);
  for (const c of connections) {
    c.reportUnanswered();
    // Between phases: anything unexpected still counts, in the close answer.
    c.recorder = recorderFor(idleProblems, undefined);
    c.onResponse = () => {};
  }
  return {
    type: 'phase-done',
    startedNs,
    stoppedNs,
    newOrdersSent: connections.reduce((n, c, i) => n + c.newOrdersSent - (before[i] as { newOrders: number }).newOrders, 0),
    cancelsSent: connections.reduce((n, c, i) => n + c.cancelsSent - (before[i] as { cancels: number }).cancels, 0),
    completed: connections.reduce((n, c, i) => n + c.completed - (before[i] as { completed: number }).completed, 0),
    completedInWindow,
    skippedBackpressure,
    overloaded,
    rejects: recorder.rejects,
    histograms: histograms.encode(),
    problems: problems.lines(),
  };
}

async function close(): Promise<LoadReply> {
  // LOGOUT is answered after every report the engine sent before it: the beliefs below are final.
  await Promise.all(connections.map((c) => c.client.logout()));
  for (const c of connections) {
    const reason = c.closeReason;
    if (reason !== undefined && reason.kind !== 'logged-out') idleProblems.add('session', `client ${c.clientId}: session ended ${reason.kind}: ${reason.detail}`);
    if (c.client.stats.protocolErrors > 0) idleProblems.add('protocol', `client ${c.clientId}: ${c.client.stats.protocolErrors} protocol errors`);
  }
  const reply: LoadReply = {
    type: 'closed',
    problems: idleProblems.lines(),
    believedResting: connections.flatMap((c) => c.believedResting()),
    connections: connections.map((c) => ({ clientId: c.clientId, stats: c.client.stats, closeReason: c.closeReason })),
  };
  connections = [];
  return reply;
}

function handle(req: LoadRequest): Promise<LoadReply> {
  switch (req.type) {
    case 'open': return open(req);
    case 'phase': return runPhase(req);
    case 'close': return close();
  }
}

port.on('message', (req: LoadRequest) => {
  handle(req).then(
    (reply) => port.postMessage(reply),
    (error: unknown) => port.postMessage({ type: 'failed', error: error instanceof Error ? error.message : String(error) } satisfies LoadReply),
  );
});
