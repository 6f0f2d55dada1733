/**
 * The market-data port's catalogue: the subscriber's frames (LOGIN, HEARTBEAT, LOGOUT,
 * SESSION_ERROR, SNAPSHOT_REQUEST) through the same systematic mutations as order entry, the
 * types a subscriber never sends, SNAPSHOT_REQUEST's symbol ids and levels, timers, floods and
 * connection churn, each with the outcome docs/PROTOCOL.md prescribes ({@link predictOutcome}
 * with `channel: 'marketData'`). Deterministic: the same rules give the same cases, byte for byte.
 *
 * ```
 *  templates (one valid subscriber frame per type) ─┬─ md/truncation  every prefix
 *                                                   ├─ md/length      length values, raw and resealed
 *                                                   └─ md/crc         every bit flipped, zero and all-ones CRC
 *  type / version bytes ─────────────────────────────── md/unknownType (not in the table), md/unexpected (in it,
 *                                                       never sent by a subscriber), md/version
 *  hand-written streams ─────────────────────────────── md/sequence, md/snapshot
 *  timers, floods, connections ──────────────────────── md/slowloris, md/flood, md/churn (playChurnCase.ts)
 * ```
 * Every id starts with its class (`md/crc/SNAPSHOT_REQUEST/bit-17`), distinct from order entry's. The
 * mutations both ports share (truncation, length, crc, version, type sweeps, timers, churn) are
 * ChannelCatalogue.ts's; this file holds the subscriber's frames and what only market data has.
 */

import { LogoutReason } from '../../engine/protocol/codes.js';
import { FRAME_LENGTH_LIMIT, MIN_FRAME_LENGTH, messageLayout } from '../../engine/protocol/messageLayouts.js';
import { MessageType, type Message } from '../../engine/protocol/messages.js';
import { resealFrame, writeRawField } from '../../engine/protocol/rawFrame.js';
import { CATALOGUE_TIMESTAMP_NS as TIMESTAMP_NS, ChannelCatalogue, encodeFrame as frame, type FrameTemplate } from './ChannelCatalogue.js';
import { boundaryValues } from './fuzzCatalogue.js';
import { concatBytes, type FuzzCase } from './FuzzCase.js';
import { FUZZ_RULES_DEFAULTS, type FuzzRules } from './fuzzRules.js';

/** Requests of the SNAPSHOT_REQUEST flood: well past the 5,000-frame burst the reference engine allows. */
const SNAPSHOT_FLOOD = 12_000;

/** Builds the market-data catalogue for `rules` (default: the embedded engine's). */
export function mdFuzzCatalogue(rules: FuzzRules = FUZZ_RULES_DEFAULTS): FuzzCase[] {
  return new MdCatalogueBuilder(rules).build();
}

class MdCatalogueBuilder {
  readonly #rules: FuzzRules;
  readonly #catalogue: ChannelCatalogue;

  constructor(rules: FuzzRules) {
    this.#rules = rules;
    this.#catalogue = new ChannelCatalogue(rules, 'marketData');
  }

  build(): FuzzCase[] {
    this.#catalogue.truncation(this.#templates());
    this.#catalogue.length(this.#templates(), (trueLength) => this.#lengths(trueLength));
    this.#types();
    this.#catalogue.version(this.#templates().filter((t) => t.name === 'LOGIN' || t.name === 'SNAPSHOT_REQUEST'));
    this.#catalogue.crc(this.#templates());
    this.#sequence();
    this.#snapshot();
    this.#slowloris();
    this.#flood();
    this.#churn();
    return this.#catalogue.cases;
  }

  // ---- frames -------------------------------------------------------------------------------

  #snapshotRequest(sequence: number, symbolId: number, levels: number): Uint8Array {
    return frame({ type: MessageType.SnapshotRequest, symbolId, sequence, timestampNs: TIMESTAMP_NS + sequence, levels });
  }

  /** One valid frame of each type a subscriber sends; LOGIN on a fresh connection, the others after it (sequence 2). */
  #templates(): FrameTemplate[] {
    return [
      ...this.#catalogue.sessionTemplates(),
      { name: 'SNAPSHOT_REQUEST', login: true, frame: this.#snapshotRequest(2, this.#rules.semanticSymbol.symbolId, 5) },
    ];
  }

  /** The length-field values of md/length: a subset of order entry's (the header's and the frame's length around, the limit ± 1, the u16 edges). */
  #lengths(trueLength: number): number[] {
    const max = this.#rules.maxFrameLength;
    return [0, 1, 2, 8, 27, MIN_FRAME_LENGTH, 29, trueLength - 1, trueLength + 1, trueLength + 4, 255, 256,
      max - 1, max, max + 1, 0x8000, FRAME_LENGTH_LIMIT];
  }

  // ---- cases --------------------------------------------------------------------------------

  /**
   * Every type byte a subscriber does not send: not in the table (UnknownMessageType), or in it
   * but never sent by a subscriber, such as NEW_ORDER or TRADE (UnexpectedMessage, rule 1, which
   * comes before NotLoggedIn), each in a frame of its own length, before and after login.
   */
  #types(): void {
    this.#catalogue.foreignTypes(({ hex, known, state }) => {
      const cls = known === undefined ? 'md/unknownType' : 'md/unexpected';
      return {
        id: `${cls}/${known === undefined ? hex : known.name}/${state}`, class: cls,
        description: `market data: type ${hex}${known === undefined ? ' (no such type)' : ` (${known.name}, never sent by a subscriber)`}, ${state}`,
      };
    });
    // The order-entry requests as a client would really send them, well-formed, after login.
    const sweep = this.#rules.sweepSymbol;
    const requests: [string, Message][] = [
      ['NEW_ORDER', { type: MessageType.NewOrder, symbolId: sweep.symbolId, sequence: 2, timestampNs: TIMESTAMP_NS, clientOrderId: 1,
        price: 10 * sweep.tickSize, quantity: 1, side: 1, orderType: 1, timeInForce: 2 }],
      ['CANCEL', { type: MessageType.Cancel, symbolId: sweep.symbolId, sequence: 2, timestampNs: TIMESTAMP_NS, clientOrderId: 1 }],
      ['REPLACE', { type: MessageType.Replace, symbolId: sweep.symbolId, sequence: 2, timestampNs: TIMESTAMP_NS, clientOrderId: 1,
        price: 10 * sweep.tickSize, quantity: 1 }],
    ];
    for (const [name, message] of requests) {
      this.#catalogue.add(`md/unexpected/${name}/wellFormed`, 'md/unexpected', `market data: a valid ${name} after login`, true, [{ bytes: frame(message) }]);
    }
  }

  /** Sequence and login rules on the subscriber's side: gaps, repeats, 0, going back, LOGIN twice, frames before LOGIN. */
  #sequence(): void {
    const sem = this.#rules.semanticSymbol.symbolId;
    const add = (name: string, description: string, login: boolean, ...frames: Uint8Array[]): void =>
      this.#catalogue.add(`md/sequence/${name}`, 'md/sequence', `market data: ${description}`, login, [{ bytes: concatBytes(frames) }]);
    add('heartbeat-gap', 'HEARTBEAT with sequence 3 where 2 is due', true, this.#catalogue.heartbeat(3));
    add('heartbeat-repeat', 'two HEARTBEATs with sequence 2', true, this.#catalogue.heartbeat(2), this.#catalogue.heartbeat(2));
    add('heartbeat-zero', 'HEARTBEAT with sequence 0', true, this.#catalogue.heartbeat(0));
    add('back', 'sequence 2, 3, then 2 again', true, this.#catalogue.heartbeat(2), this.#catalogue.heartbeat(3), this.#catalogue.heartbeat(2));
    add('snapshot-gap', 'SNAPSHOT_REQUEST with sequence 5 where 2 is due', true, this.#snapshotRequest(5, sem, 1));
    add('gap-after-snapshots', 'two SNAPSHOT_REQUESTs, then a gap', true,
      this.#snapshotRequest(2, sem, 1), this.#snapshotRequest(3, sem, 1), this.#catalogue.heartbeat(9));
    add('sequence-above-2^53', 'HEARTBEAT with sequence 2^53', true, (() => {
      const b = this.#catalogue.heartbeat(2);
      new DataView(b.buffer).setBigUint64(8, 2n ** 53n, true);
      resealFrame(b);
      return b;
    })());
    add('heartbeats-then-snapshot', 'HEARTBEATs, then a SNAPSHOT_REQUEST', true, this.#catalogue.heartbeat(2), this.#catalogue.heartbeat(3), this.#snapshotRequest(4, sem, 3));
    add('login-twice', 'a second LOGIN on a logged-in subscriber', true, this.#catalogue.login(2));
    add('login-sequence-0', 'LOGIN with sequence 0', false, this.#catalogue.login(0));
    add('login-sequence-2', 'LOGIN with sequence 2', false, this.#catalogue.login(2));
    for (const interval of [0, 99, 60_001, 0xffff_ffff]) {
      add(`login-heartbeat-${interval}`, `LOGIN asking for a ${interval} ms heartbeat interval`, false, this.#catalogue.login(1, interval));
    }
    add('heartbeat-before-login', 'HEARTBEAT as the first frame', false, this.#catalogue.heartbeat(1));
    add('snapshot-before-login', 'SNAPSHOT_REQUEST as the first frame', false, this.#snapshotRequest(1, sem, 1));
    add('logout-before-login', 'LOGOUT as the first frame', false,
      this.#catalogue.logout(1, LogoutReason.UserRequested));
    add('login-then-snapshot', 'LOGIN and SNAPSHOT_REQUEST in one write', false, this.#catalogue.login(1), this.#snapshotRequest(2, sem, 2));
    add('logout', 'LOGOUT: the engine answers LOGOUT and closes', true,
      this.#catalogue.logout(2, 77));
    add('client-session-error', 'SESSION_ERROR from the subscriber: the engine closes', true,
      this.#catalogue.sessionError(2, 1, 0));
    add('snapshot-then-bad-crc', 'a valid SNAPSHOT_REQUEST then a bad CRC', true,
      this.#snapshotRequest(2, sem, 1), (() => { const b = this.#catalogue.heartbeat(3); b[b.length - 1]! ^= 1; return b; })());
  }

  /**
   * SNAPSHOT_REQUEST's symbol ids (traded, untraded: an empty snapshot; 0; the u32 edges) and
   * levels (0: as many as fit; 1; the per-side cut 84 at 4096 bytes; one frame's 169; the u16
   * edges), and its reserved field, which must be 0.
   */
  #snapshot(): void {
    const r = this.#rules;
    const symbols = [r.sweepSymbol.symbolId, r.semanticSymbol.symbolId, r.unknownSymbolId, 0, 0x7fff_ffff, 0xffff_ffff];
    const levels = [0, 1, 2, 84, 85, 169, 170, 0x7fff, 0xffff];
    for (const symbolId of symbols) {
      for (const n of levels) {
        this.#catalogue.add(`md/snapshot/symbol-${symbolId}/levels-${n}`, 'md/snapshot', `market data: SNAPSHOT_REQUEST for symbol ${symbolId}, ${n} levels`,
          true, [{ bytes: this.#snapshotRequest(2, symbolId, n) }]);
      }
    }
    const reserved = messageLayout(MessageType.SnapshotRequest)!.fields.find((f) => f.reserved)!;
    for (const value of boundaryValues(reserved.wireType).filter((v) => v !== 0n)) {
      const bytes = this.#snapshotRequest(2, r.semanticSymbol.symbolId, 1);
      writeRawField(bytes, reserved, value);
      resealFrame(bytes);
      this.#catalogue.add(`md/snapshot/reserved-${value}`, 'md/snapshot', `market data: SNAPSHOT_REQUEST with its reserved u16 = ${value}`, true, [{ bytes }]);
    }
    const many = Array.from({ length: 50 }, (_, i) => this.#snapshotRequest(2 + i, i % 2 === 0 ? r.semanticSymbol.symbolId : r.unknownSymbolId, 1 + (i % 5)));
    this.#catalogue.add('md/snapshot/fifty-in-one-write', 'md/snapshot', 'market data: 50 SNAPSHOT_REQUESTs in one write, answered in order', true,
      [{ bytes: concatBytes(many) }]);
  }

  /** Slow writers and silences: the login timeout and the dead-peer rule hold on market data too. */
  #slowloris(): void {
    const request = this.#snapshotRequest(2, this.#rules.semanticSymbol.symbolId, 2);
    this.#catalogue.slowWrites({ name: 'SNAPSHOT_REQUEST', login: true, frame: request }, 'a SNAPSHOT_REQUEST',
      [['mid-length', 1], ['mid-header', 10], ['before-crc', 28]]);
    // The engine's FEED_HEARTBEATs do not keep a silent subscriber alive: its own HEARTBEATs must arrive.
    this.#catalogue.timeouts(request.subarray(0, 16), 'half a SNAPSHOT_REQUEST');
  }

  /** Floods past the rate limit: HEARTBEATs, and SNAPSHOT_REQUESTs (each answered until the limit ends the session). */
  #flood(): void {
    this.#catalogue.heartbeatFlood('md/flood/heartbeats', 'md/flood');
    // PROTOCOL.md says the engine *may* end a flooding session (RateLimitExceeded); whether a
    // burst of requests that each cost the engine a snapshot trips it depends on how fast it reads.
    // So: any protocol reaction, well-formed frames, then the probe. An untraded symbol keeps each
    // answer a 36-byte empty snapshot, well inside the subscriber's outbound cap.
    const symbolId = this.#rules.unknownSymbolId;
    this.#catalogue.add('md/flood/snapshot-requests', 'md/flood', `market data: ${SNAPSHOT_FLOOD} SNAPSHOT_REQUESTs in one write: survives`, true,
      [{ bytes: concatBytes(Array.from({ length: SNAPSHOT_FLOOD }, (_, i) => this.#snapshotRequest(2 + i, symbolId, 1))) }],
      { expected: { answers: [], end: { kind: 'survives' } }, waitMs: 5_000 });
  }

  /** Churn on the market-data port, played by playChurnCase.ts like order entry's. */
  #churn(): void {
    this.#catalogue.churnBursts();
    this.#catalogue.add('md/churn/reset-after-snapshot-request', 'md/churn', 'market data: a SNAPSHOT_REQUEST and half of another, then a TCP reset', true,
      [{ bytes: concatBytes([this.#snapshotRequest(2, this.#rules.semanticSymbol.symbolId, 3),
        this.#snapshotRequest(3, this.#rules.semanticSymbol.symbolId, 3).subarray(0, 20)]) }],
      { expected: { answers: [], end: { kind: 'survives' } }, churn: { kind: 'reset', answersFirst: 1 } });
    this.#catalogue.halfOpenCases();
    this.#catalogue.beyondLimit();
  }
}
