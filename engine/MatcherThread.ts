import { Worker } from 'node:worker_threads';
import type { Command } from './book/Command.js';
import { EVENT_STRIDE } from './book/EventBuffer.js';
import type { SymbolConfig } from './book/SymbolConfig.js';
import { COMMAND_SLOT_BYTES, writeCommand } from './commandSlot.js';
import type { BookLevels } from './DepthMirror.js';
import { EventDoorbell } from './EventDoorbell.js';
import type { EventPublisher } from './EventPublisher.js';
import type { Durability } from './journal/JournalWriter.js';
import { JournalError } from './journal/journalFormat.js';
import {
  CONTROL_BYTES, controlBlock, GO, STOP, STOP_WITH_STATE,
  type FinalState, type MatcherWorkerData, type MatcherWorkerMessage, type WaitStrategyName,
} from './matcherWorkerProtocol.js';
import { BatchEventProcessor, type EventHandler } from './ring/BatchEventProcessor.js';
import { builtModuleUrl } from './ring/builtModule.js';
import { RingBuffer } from './ring/RingBuffer.js';
import { BUSY } from './ring/Sequencer.js';
import { SingleProducerSequencer } from './ring/SingleProducerSequencer.js';

/** Options of {@link MatcherThread.start}; each documents its default. */
export interface MatcherThreadOptions {
  readonly symbols: readonly SymbolConfig[];
  /** Where each event record goes, on the main thread. */
  readonly publisher: EventPublisher;
  /** Journal file, opened (and replayed) on the worker; none when absent. */
  readonly journalPath?: string;
  /** Default 'batch'. */
  readonly durability?: Durability;
  /** Inbound ring slots (commands in flight before REJECT EngineBusy): a power of two. Default 16,384. */
  readonly inboundCapacity?: number;
  /** Outbound ring slots (event records): a power of two. Default 4 × inboundCapacity. */
  readonly outboundCapacity?: number;
  /** How the worker waits for commands. Default 'spin-then-park' (an idle engine gives its core back). */
  readonly waitStrategy?: WaitStrategyName;
  /** Hold the worker after recovery until {@link MatcherThread.resume} (for tests of a full ring). Default false. */
  readonly startPaused?: boolean;
  /** Test-only (`matchbench chaos` tests): the journal writes at most this often, after the ACKs (journal/lagJournalCommits.ts). Default 0 (off). */
  readonly testkitJournalLagMs?: number;
  /** Problems worth a line (a dead worker, a record that could not be published). Default: none. */
  readonly log?: (line: string) => void;
}

/** The defaults of {@link MatcherThreadOptions}, and the claim spin limit. */
export const MATCHER_THREAD_DEFAULTS = {
  inboundCapacity: 16_384,
  outboundPerInbound: 4,
  waitStrategy: 'spin-then-park',
  startPaused: false,
  /** Tries at claiming an inbound slot before a command is answered EngineBusy (a few µs). */
  claimSpins: 1_000,
} as const;

/** What the worker recovered from the journal at start. */
export interface Recovered {
  readonly records: number;
  readonly tornBytes: number;
  readonly stateHash: string;
  /** Every level of every book after recovery (for the main thread's depth mirror). */
  readonly books: readonly BookLevels[];
}

/**
 * Longest the poll loop stays parked on the doorbell without looking at the outbound ring, in ms.
 * The worker rings the doorbell whenever it publishes, so this is only a safety net.
 */
const PARKED_POLL_MS = 20;

/** What the worker gets: {@link MatcherWorkerData} plus the doorbell it rings after publishing events. */
export interface MatcherThreadWorkerData extends MatcherWorkerData {
  readonly doorbell: SharedArrayBuffer;
  /** Test-only: see {@link MatcherThreadOptions.testkitJournalLagMs}. */
  readonly testkitJournalLagMs: number;
}

/**
 * The matcher worker (matcherWorker.ts) as the main thread sees it: it writes commands into the
 * inbound ring and publishes the event records that come back through the outbound ring.
 *
 * ```
 *  main thread                                             matcher worker
 *  submit(command) ─► SingleProducerSequencer ─► inbound ring ─► BatchEventProcessor (wait strategy)
 *     BUSY after claimSpins: false (REJECT EngineBusy)   (commands)    └► EngineCore: journal, Matcher
 *                                                                          │ per batch, after journal.commit
 *  poll loop (setImmediate while records come,                             ▼
 *    else parked on the doorbell) ◄── BatchEventProcessor.tryPoll ◄── outbound ring (event records)
 *    └► EventPublisher.record per slot, flush per batch      ▲            │ EventDoorbell.ring
 *                                                        Atomics.waitAsync ◄┘ (only when parked)
 * ```
 * The event loop never blocks: claims give up after a short spin, and the outbound ring is polled
 * with tryPoll. The worker never drops events: it waits while the outbound ring is full.
 *
 * Commands submitted during one event-loop iteration (the frames of every TCP read it handled) are
 * written into the ring at once but published together after its I/O callbacks (setImmediate):
 * one cursor store and at most one wake-up (a futex syscall) of a parked worker per iteration
 * instead of per command; per command it cost about a tenth of the main thread.
 */
export class MatcherThread {
  private readonly sequencer: SingleProducerSequencer;
  private readonly processor: BatchEventProcessor;
  private readonly flags: Int32Array;
  private readonly processedView: Float64Array;
  private readonly readyAnswer: Promise<Recovered>;
  private readonly stoppedAnswer: Promise<number>;
  private settleReady: { resolve: (r: Recovered) => void; reject: (e: Error) => void } | undefined;
  private settleStopped: { resolve: (n: number) => void; reject: (e: Error) => void } | undefined;
  private accepting = true;
  private looping = false;
  private immediate: NodeJS.Immediate | undefined;
  private parked = false;
  private readonly doorbell: EventDoorbell;
  /** Highest sequence claimed and written but not yet published; -1 when none. */
  private unpublishedHi = -1;
  private unpublishedLo = -1;
  private publishScheduled = false;
  private finalProcessed: number | undefined;
  private finalStateWanted = false;
  private finalBooks: FinalState | undefined;
  private stopping: Promise<number> | undefined;
  private readonly log: (line: string) => void;

  private constructor(
    private readonly worker: Worker,
    readonly inbound: RingBuffer,
    readonly outbound: RingBuffer,
    control: SharedArrayBuffer,
    doorbell: EventDoorbell,
    private readonly publisher: EventPublisher,
    log: ((line: string) => void) | undefined,
  ) {
    this.doorbell = doorbell;
    this.log = log ?? ((): void => {});
    this.sequencer = new SingleProducerSequencer(inbound);
    const handler: EventHandler = {
      onEvent: (ring, slot, _sequence, endOfBatch) => {
        try {
          this.publisher.record(ring.f64, slot * ring.float64sPerSlot);
        } catch (error) {
          // Rethrowing would hand the same record over again on every poll.
          this.log(`event record not published: ${(error as Error).message}`);
        }
        if (endOfBatch) this.publisher.flush();
      },
    };
    this.processor = new BatchEventProcessor(outbound, handler);
    ({ flags: this.flags, processed: this.processedView } = controlBlock(control));
    this.readyAnswer = new Promise((resolve, reject) => { this.settleReady = { resolve, reject }; });
    this.stoppedAnswer = new Promise((resolve, reject) => { this.settleStopped = { resolve, reject }; });
    // Marked handled here; whoever awaits them still sees the rejection.
    this.readyAnswer.catch(() => {});
    this.stoppedAnswer.catch(() => {});
    worker.on('message', (m: MatcherWorkerMessage) => this.onMessage(m));
    worker.on('error', (error) => {
      this.log(`matcher worker failed: ${error.message}`);
      this.fail(error);
    });
    worker.on('exit', (code) => this.fail(new Error(`matcher worker exited (code ${code})`)));
  }

  /**
   * Starts the worker and resolves once it has replayed the journal (if any). Rejects with the
   * worker's JournalError if it refused the journal.
   */
  static async start(options: MatcherThreadOptions): Promise<{ thread: MatcherThread; recovered: Recovered }> {
    const inboundCapacity = options.inboundCapacity ?? MATCHER_THREAD_DEFAULTS.inboundCapacity;
    const inbound = RingBuffer.build({ capacity: inboundCapacity, slotBytes: COMMAND_SLOT_BYTES });
    const outbound = RingBuffer.build({
      capacity: options.outboundCapacity ?? inboundCapacity * MATCHER_THREAD_DEFAULTS.outboundPerInbound,
      slotBytes: EVENT_STRIDE * 8,
    });
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    controlBlock(control).flags[GO] = (options.startPaused ?? MATCHER_THREAD_DEFAULTS.startPaused) ? 0 : 1;
    const doorbell = EventDoorbell.create();
    const workerData: MatcherThreadWorkerData = {
      symbols: options.symbols,
      journalPath: options.journalPath,
      durability: options.durability ?? 'batch',
      waitStrategy: options.waitStrategy ?? MATCHER_THREAD_DEFAULTS.waitStrategy,
      inbound: inbound.buffer,
      outbound: outbound.buffer,
      control,
      doorbell: doorbell.buffer,
      testkitJournalLagMs: options.testkitJournalLagMs ?? 0,
    };
    const worker = new Worker(builtModuleUrl('engine/matcherWorker.ts'), { workerData });
    const thread = new MatcherThread(worker, inbound, outbound, control, doorbell, options.publisher, options.log);
    let recovered: Recovered;
    try {
      recovered = await thread.readyAnswer;
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    thread.startLoop();
    return { thread, recovered };
  }

  /** Commands the worker has processed (journal replay included); exact once stopped. */
  get processed(): number {
    return this.finalProcessed ?? this.processedView[0] ?? 0;
  }

  /**
   * Writes a command into the inbound ring. Returns false, queuing nothing, when the ring is still
   * full after a short spin or the thread is stopping: answer the client REJECT EngineBusy.
   */
  submit(command: Command): boolean {
    if (!this.accepting) return false;
    const sequence = this.sequencer.claim(1, MATCHER_THREAD_DEFAULTS.claimSpins);
    if (sequence === BUSY) return false;
    writeCommand(this.inbound.f64, (sequence & this.inbound.mask) * this.inbound.float64sPerSlot, command);
    if (this.unpublishedHi < 0) this.unpublishedLo = sequence;
    this.unpublishedHi = sequence;
    if (!this.publishScheduled) {
      this.publishScheduled = true;
      setImmediate(this.publishSubmitted);
    }
    return true;
  }

  /** Publishes every command {@link submit} has written since the last call (one wake-up of the worker at most). */
  private readonly publishSubmitted = (): void => {
    this.publishScheduled = false;
    if (this.unpublishedHi < 0) return;
    this.sequencer.publish(this.unpublishedLo, this.unpublishedHi);
    this.unpublishedHi = -1;
    this.unpublishedLo = -1;
  };

  /**
   * Asks the worker to send every book's full state when it stops (see {@link finalState}), for
   * checks after a run: the harness's engine benchmark checks the book invariants on it. Costs an
   * allocation per resting order at stop, so it is off unless asked. Call before {@link stop}.
   */
  requestFinalState(): void {
    this.finalStateWanted = true;
  }

  /** The books as the worker left them, once stopped after {@link requestFinalState}; else undefined. */
  get finalState(): FinalState | undefined {
    return this.finalBooks;
  }

  /** Lets a worker started paused consume the inbound ring. */
  resume(): void {
    Atomics.store(this.flags, GO, 1);
    Atomics.notify(this.flags, GO);
  }

  /** Publishes every event record waiting in the outbound ring; returns how many. Never blocks. */
  poll(): number {
    return this.processor.tryPoll();
  }

  /**
   * Stops: accepts nothing more, lets the worker drain the inbound ring and close the journal,
   * publishes every remaining event, and ends the worker. Resolves with the commands processed.
   */
  stop(): Promise<number> {
    this.stopping ??= this.drainAndEnd();
    return this.stopping;
  }

  private async drainAndEnd(): Promise<number> {
    this.accepting = false;
    this.publishSubmitted();
    Atomics.store(this.flags, STOP, this.finalStateWanted ? STOP_WITH_STATE : 1);
    this.resume();
    this.inbound.alert(0);
    try {
      // The poll loop keeps publishing meanwhile, so a worker waiting on a full outbound ring goes on.
      this.finalProcessed = await this.stoppedAnswer;
      while (this.poll() > 0);
      return this.finalProcessed;
    } finally {
      this.stopLoop();
      await this.worker.terminate();
    }
  }

  private onMessage(message: MatcherWorkerMessage): void {
    switch (message.type) {
      case 'ready':
        this.settleReady?.resolve({ records: message.records, tornBytes: message.tornBytes, stateHash: message.stateHash,
          books: message.books });
        break;
      case 'failed':
        this.settleReady?.reject(message.journalOffset >= 0 ? new JournalError(message.message, message.journalOffset)
          : new Error(message.message));
        break;
      case 'stopped':
        this.finalBooks = message.finalState;
        this.settleStopped?.resolve(message.processed);
        break;
    }
  }

  private fail(error: Error): void {
    this.settleReady?.reject(error);
    this.settleStopped?.reject(error);
  }

  // The poll loop: setImmediate while the last poll found records (more are likely on their way),
  // else parked on the doorbell until the worker publishes. Parked, the event loop still serves
  // sockets; it just does not spin on an empty ring (see EventDoorbell for why that matters).
  private startLoop(): void {
    this.looping = true;
    this.immediate = setImmediate(this.turn);
  }

  private stopLoop(): void {
    this.looping = false;
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.immediate = undefined;
    // Ends a pending wait now rather than after PARKED_POLL_MS.
    if (this.parked) this.doorbell.ring();
  }

  private readonly turn = (): void => {
    this.immediate = undefined;
    let published = 0;
    try {
      published = this.poll();
    } finally {
      if (this.looping) {
        if (published > 0) this.immediate = setImmediate(this.turn);
        else this.park();
      }
    }
  };

  private park(): void {
    const bell = this.doorbell.arm();
    // Records published between the poll above and arm() would not ring: look once more.
    if (this.poll() > 0) {
      this.doorbell.disarm();
      this.immediate = setImmediate(this.turn);
      return;
    }
    this.parked = true;
    void this.doorbell.wait(bell, PARKED_POLL_MS).then(this.unpark);
  }

  private readonly unpark = (): void => {
    this.parked = false;
    this.doorbell.disarm();
    if (this.looping) this.turn();
  };

}
