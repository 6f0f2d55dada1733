/**
 * The engine's matcher thread (started by {@link MatcherThread} from dist/, see
 * engine/ring/builtModule.ts). Owns the journal and the books; talks to the main thread through
 * two rings.
 *
 *   inbound ring ─► BatchEventProcessor ─► EngineCore: journal.append ─► Matcher ─► (end of batch)
 *   (commands)      (wait strategy)          journal.commit ─► OutboundRingWriter ─► outbound ring
 *                                                                  │               (event records)
 *                                                                  └► EventDoorbell.ring (main thread parked)
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EVENT_STRIDE, type EventBuffer } from './book/EventBuffer.js';
import { blankCommand, readCommand } from './commandSlot.js';
import { EngineCore, type EventOutput } from './EngineCore.js';
import { EventDoorbell } from './EventDoorbell.js';
import { JOURNAL_WRITER_DEFAULTS, JournalWriter } from './journal/JournalWriter.js';
import { JournalError } from './journal/journalFormat.js';
import { readJournal } from './journal/readJournal.js';
import { lagJournalCommits } from './journal/lagJournalCommits.js';
import type { MatcherThreadWorkerData } from './MatcherThread.js';
import {
  controlBlock, GO, STOP, STOP_WITH_STATE, type MatcherWorkerMessage, type WaitStrategyName,
} from './matcherWorkerProtocol.js';
import { BatchEventProcessor, type EventHandler } from './ring/BatchEventProcessor.js';
import { BlockingWaitStrategy } from './ring/BlockingWaitStrategy.js';
import { BusySpinWaitStrategy } from './ring/BusySpinWaitStrategy.js';
import { RingBuffer } from './ring/RingBuffer.js';
import { BUSY } from './ring/Sequencer.js';
import { SingleProducerSequencer } from './ring/SingleProducerSequencer.js';
import { SpinThenParkWaitStrategy } from './ring/SpinThenParkWaitStrategy.js';
import type { WaitStrategy } from './ring/WaitStrategy.js';

/** How long the worker sleeps, in ms, each time it finds the outbound ring full. */
const FULL_RING_SLEEP_MS = 0.02;
/** When idle with nothing owed to the journal, how long one poll waits, in ms (an alert or a command wakes it). */
const IDLE_POLL_MS = 100;

/**
 * Copies each batch's event records into the outbound ring, one slot per record, in as few claims
 * as the free space allows, then rings the main thread's doorbell (it may be parked). Never drops:
 * while the ring is full it sleeps briefly and looks again (the main thread's consumer does not
 * signal producers, so there is nothing to park on).
 */
class OutboundRingWriter implements EventOutput {
  private readonly sequencer: SingleProducerSequencer;
  private readonly sleepWord = new Int32Array(new SharedArrayBuffer(4));

  constructor(private readonly ring: RingBuffer, private readonly doorbell: EventDoorbell) {
    if (ring.float64sPerSlot !== EVENT_STRIDE) throw new RangeError(`outbound slots must hold ${EVENT_STRIDE} doubles`);
    this.sequencer = new SingleProducerSequencer(ring);
  }

  publish(events: EventBuffer): void {
    const { ring, sequencer } = this;
    const source = events.data;
    const total = events.length;
    let from = 0;
    while (from < total) {
      const free = sequencer.remainingCapacity();
      const lo = free > 0 ? sequencer.tryClaim(Math.min(total - from, free)) : BUSY;
      if (lo === BUSY) {
        this.doorbell.ring();
        Atomics.wait(this.sleepWord, 0, 0, FULL_RING_SLEEP_MS);
        continue;
      }
      const n = Math.min(total - from, free);
      // Slots are contiguous in ring.f64 up to the end of the ring: one copy per run.
      for (let s = lo, left = n; left > 0;) {
        const slot = s & ring.mask;
        const run = Math.min(left, ring.capacity - slot);
        ring.f64.set(source.subarray(from * EVENT_STRIDE, (from + run) * EVENT_STRIDE), slot * EVENT_STRIDE);
        s += run;
        from += run;
        left -= run;
      }
      sequencer.publish(lo, lo + n - 1);
    }
    this.doorbell.ring();
  }
}

function waitStrategyOf(name: WaitStrategyName): WaitStrategy {
  switch (name) {
    case 'busy-spin': return new BusySpinWaitStrategy();
    case 'blocking': return new BlockingWaitStrategy();
    default: return new SpinThenParkWaitStrategy();
  }
}

function post(message: MatcherWorkerMessage): void {
  parentPort?.postMessage(message);
}

function run(data: MatcherThreadWorkerData): void {
  const { flags, processed } = controlBlock(data.control);
  const inbound = RingBuffer.attach(data.inbound);
  const outbound = RingBuffer.attach(data.outbound);
  let journal: JournalWriter | undefined;
  let core: EngineCore;
  try {
    // Opening checks the journal (refusing one damaged in the middle) and cuts off a torn tail.
    journal = data.journalPath === undefined ? undefined
      : JournalWriter.open(data.journalPath, { symbols: data.symbols }, { durability: data.durability });
    if (journal !== undefined && data.testkitJournalLagMs > 0) lagJournalCommits(journal, data.testkitJournalLagMs);
    const recovering = new EngineCore({ symbols: data.symbols, ...(journal === undefined ? {} : { journal }),
      output: new OutboundRingWriter(outbound, EventDoorbell.attach(data.doorbell)) });
    if (journal !== undefined && data.journalPath !== undefined) {
      readJournal(data.journalPath, { record: (command) => recovering.restore(command) });
    }
    core = recovering;
  } catch (error) {
    journal?.close();
    post({ type: 'failed', message: (error as Error).message, journalOffset: error instanceof JournalError ? error.offset : -1 });
    return;
  }
  const books = data.symbols.map(({ symbolId }) => {
    const depth = core.matcher.book(symbolId)?.depth(Number.POSITIVE_INFINITY) ?? { bids: [], asks: [] };
    return { symbolId, bids: depth.bids, asks: depth.asks };
  });
  processed[0] = core.processed;
  post({ type: 'ready', records: journal?.found.records ?? 0, tornBytes: journal?.found.tornBytes ?? 0,
    stateHash: core.matcher.stateHash(), books });

  // Held here until the owner says go (at once unless it started paused; stop says go too).
  while (Atomics.load(flags, GO) === 0) Atomics.wait(flags, GO, 0);

  const command = blankCommand();
  /** A batch was committed since the last idle commit: the journal may owe an fsync. */
  let committed = false;
  const handler: EventHandler = {
    onEvent(ring, slot, _sequence, endOfBatch) {
      core.apply(readCommand(ring.f64, slot * ring.float64sPerSlot, command));
      if (endOfBatch) {
        core.endBatch();
        processed[0] = core.processed;
        committed = true;
      }
    },
  };
  const processor = new BatchEventProcessor(inbound, handler, { waitStrategy: waitStrategyOf(data.waitStrategy) });
  // The journal's own commit timer cannot fire here (this loop holds the worker's event loop), so
  // after a batch the next idle poll ends after the journal's batch interval and commits (which
  // fsyncs what is due): a quiet engine still reaches the disk. Otherwise the poll waits longer.
  while (Atomics.load(flags, STOP) === 0) {
    const owed = committed && journal !== undefined;
    if (processor.poll(owed ? JOURNAL_WRITER_DEFAULTS.batchIntervalMs : IDLE_POLL_MS) === 0 && owed) {
      journal?.commit();
      committed = false;
    }
  }
  // Stop: drain what the main thread published before it stopped accepting.
  while (processor.tryPoll() > 0);
  journal?.close();
  processed[0] = core.processed;
  const finalState = Atomics.load(flags, STOP) === STOP_WITH_STATE
    ? { stateHash: core.matcher.stateHash(), books: core.matcher.allBooks().map((book) => book.state()) } : undefined;
  post({ type: 'stopped', processed: core.processed, ...(finalState === undefined ? {} : { finalState }) });
}

run(workerData as MatcherThreadWorkerData);
