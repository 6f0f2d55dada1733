/**
 * One thread of the ring benchmark: a producer or a consumer over a ring, a MessagePort or the
 * parent port, as ringBench.ts asks (see the diagram there). The worker stays up across repetitions:
 * each `run` message brings a fresh ring or channel and a start gate; it answers `ready` once
 * attached, waits at the gate, runs, and answers `done` with what it saw.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { BatchEventProcessor, type EventHandler } from '../../engine/ring/BatchEventProcessor.js';
import { BusySpinWaitStrategy } from '../../engine/ring/BusySpinWaitStrategy.js';
import { MultiProducerSequencer } from '../../engine/ring/MultiProducerSequencer.js';
import { RingBuffer } from '../../engine/ring/RingBuffer.js';
import { BUSY, type Sequencer } from '../../engine/ring/Sequencer.js';
import { SingleProducerSequencer } from '../../engine/ring/SingleProducerSequencer.js';
import { SpinThenParkWaitStrategy } from '../../engine/ring/SpinThenParkWaitStrategy.js';
import { MessageChecker, messageValue, type RingBenchRole, type RingBenchRun, type WorkerReply } from './ringBench.js';

if (parentPort === null) throw new Error('ringBench.worker.ts runs as a worker thread');
const port: MessagePort = parentPort;
const role = (workerData as { role: RingBenchRole }).role;

const reply = (message: WorkerReply): void => port.postMessage(message);

/** Blocks until the gate opens (word 0 becomes 1) or the deadline passes; true when open. */
function waitAtGate(gate: Int32Array, deadlineMs: number): boolean {
  while (Atomics.load(gate, 0) === 0) {
    const leftMs = deadlineMs - performance.now();
    if (leftMs <= 0) return false;
    Atomics.wait(gate, 0, 0, leftMs);
  }
  return true;
}

/** Checks every message it is handed; the consumer's EventHandler. */
class CheckingHandler implements EventHandler {
  constructor(readonly checker: MessageChecker) {}
  onEvent(ring: RingBuffer, slot: number, _sequence: number, _endOfBatch: boolean): void {
    const f = ring.f64;
    const at = slot * ring.float64sPerSlot;
    this.checker.accept(f[at] as number, f[at + 1] as number, f[at + 2] as number);
  }
}

/**
 * Claims, writes and publishes messages [from, from + n) of producer `p`; false when the ring is full.
 * One call per batch (not one long loop per run) so V8 optimises it once, in the warm-up, and every
 * timed run starts on optimised code.
 */
function publishBatch(sequencer: Sequencer, ring: RingBuffer, p: number, from: number, n: number): boolean {
  const lo = sequencer.tryClaim(n);
  if (lo === BUSY) return false;
  const { f64, mask, float64sPerSlot } = ring;
  for (let k = 0; k < n; k++) {
    const at = ((lo + k) & mask) * float64sPerSlot;
    f64[at] = p;
    f64[at + 1] = from + k;
    f64[at + 2] = messageValue(p, from + k);
  }
  sequencer.publish(lo, lo + n - 1);
  return true;
}

/** A futex word nobody notifies: Atomics.wait on it is a short sleep that gives the core away. */
const backoffWord = new Int32Array(new SharedArrayBuffer(4));

function ringProducer(run: RingBenchRun): void {
  const ring = RingBuffer.attach(run.ring as SharedArrayBuffer);
  const sequencer: Sequencer = ring.multiProducer ? new MultiProducerSequencer(ring) : new SingleProducerSequencer(ring);
  const gate = new Int32Array(run.gate);
  const deadlineMs = performance.now() + run.timeoutMs;
  reply({ type: 'ready' });
  if (!waitAtGate(gate, deadlineMs)) return reply({ type: 'done', ok: false, error: 'gate never opened' });
  const p = run.producer;
  const total = run.messagesPerProducer;
  let busyClaims = 0;
  let i = 0;
  while (i < total) {
    const n = Math.min(run.batch, total - i);
    if (publishBatch(sequencer, ring, p, i, n)) {
      i += n;
      continue;
    }
    // Ring full: the consumer is behind. Retry at once a few times, then sleep a moment so that, with
    // more busy threads than cores, the consumer gets the core. Look at the clock in case it died.
    if (++busyClaims % run.busySpins === 0) {
      Atomics.wait(backoffWord, 0, 0, run.busySleepMs);
      if (performance.now() > deadlineMs) return reply({ type: 'done', ok: false, error: `producer ${p} timed out after ${i} messages` });
    }
  }
  reply({ type: 'done', ok: true, busyClaims });
}

function ringConsumer(run: RingBenchRun): void {
  const ring = RingBuffer.attach(run.ring as SharedArrayBuffer);
  const checker = new MessageChecker(run.producers);
  const waitStrategy = run.waitStrategy === 'busy-spin' ? new BusySpinWaitStrategy() : new SpinThenParkWaitStrategy();
  const processor = new BatchEventProcessor(ring, new CheckingHandler(checker), { waitStrategy });
  const gate = new Int32Array(run.gate);
  const deadlineMs = performance.now() + run.timeoutMs;
  const total = run.messagesPerProducer * run.producers;
  reply({ type: 'ready' });
  if (!waitAtGate(gate, deadlineMs)) return reply({ type: 'done', ok: false, error: 'gate never opened' });
  const t0 = process.hrtime.bigint();
  while (checker.received < total) {
    if (processor.poll(100) === 0 && performance.now() > deadlineMs) break;
  }
  const elapsedNs = Number(process.hrtime.bigint() - t0);
  reply({ type: 'done', ok: true, elapsedNs, report: checker.report(), batches: processor.batches });
}

function portProducer(run: RingBenchRun): void {
  const out = run.port ?? port;
  const gate = new Int32Array(run.gate);
  reply({ type: 'ready' });
  if (!waitAtGate(gate, performance.now() + run.timeoutMs)) return reply({ type: 'done', ok: false, error: 'gate never opened' });
  const p = run.producer;
  for (let i = 0; i < run.messagesPerProducer; i++) out.postMessage([p, i, messageValue(p, i)]);
  run.port?.close();
  reply({ type: 'done', ok: true });
}

function portConsumer(run: RingBenchRun): void {
  const input = run.port;
  if (input === undefined) return reply({ type: 'done', ok: false, error: 'port consumer without a port' });
  const checker = new MessageChecker(run.producers);
  const total = run.messagesPerProducer * run.producers;
  const gate = new Int32Array(run.gate);
  reply({ type: 'ready' });
  if (!waitAtGate(gate, performance.now() + run.timeoutMs)) return reply({ type: 'done', ok: false, error: 'gate never opened' });
  const t0 = process.hrtime.bigint();
  const timer = setTimeout(() => finish(), run.timeoutMs);
  const finish = (): void => {
    clearTimeout(timer);
    input.close();
    reply({ type: 'done', ok: true, elapsedNs: Number(process.hrtime.bigint() - t0), report: checker.report() });
  };
  input.on('message', (m: [number, number, number]) => {
    checker.accept(m[0], m[1], m[2]);
    if (checker.received === total) finish();
  });
}

port.on('message', (message: { type: 'run'; run: RingBenchRun } | { type: 'exit' }) => {
  if (message.type === 'exit') {
    port.close();
    return;
  }
  const run = message.run;
  if (role === 'ring-producer') ringProducer(run);
  else if (role === 'ring-consumer') ringConsumer(run);
  else if (role === 'port-producer') portProducer(run);
  else portConsumer(run);
});
