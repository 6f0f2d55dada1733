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
 * Every id starts with its class (`md/crc/SNAPSHOT_REQUEST/bit-17`), distinct from order entry's.
 */

import { LogoutReason, SessionErrorReason } from '../../engine/protocol/codes.js';
import { encode } from '../../engine/protocol/encode.js';
import { FRAME_LENGTH_LIMIT, MIN_FRAME_LENGTH, PROTOCOL_VERSION, messageLayout, messageLayouts } from '../../engine/protocol/messageLayouts.js';
import { MessageType, type Message } from '../../engine/protocol/messages.js';
import { resealFrame, writeRawField } from '../../engine/protocol/rawFrame.js';
import { boundaryValues, CHURN_BURST_CONNECTIONS, FUZZ_HEARTBEAT_INTERVAL_MS } from './fuzzCatalogue.js';
import { concatBytes, type ChurnPlan, type ExpectedOutcome, type FuzzCase, type FuzzChunk, type MarketDataFuzzClass } from './FuzzCase.js';
import { FUZZ_RULES_DEFAULTS, type FuzzRules } from './fuzzRules.js';
import { predictOutcome } from './predictOutcome.js';

const TIMESTAMP_NS = 3_600_000_000_000;
/** Client ids of LOGIN frames inside md case bytes, one per case (the port refuses an id logged in twice). */
const MD_CASE_CLIENT_ID_BASE = 0x3800_0000;
/** Requests of the SNAPSHOT_REQUEST flood: well past the 5,000-frame burst the reference engine allows. */
const SNAPSHOT_FLOOD = 12_000;

/** A valid subscriber frame to mutate; `login`: sent after the runner's LOGIN (sequence 2). */
interface Template {
  readonly name: string;
  readonly login: boolean;
  readonly frame: Uint8Array;
}

/** Builds the market-data catalogue for `rules` (default: the embedded engine's). */
export function mdFuzzCatalogue(rules: FuzzRules = FUZZ_RULES_DEFAULTS): FuzzCase[] {
  return new MdCatalogueBuilder(rules).build();
}

class MdCatalogueBuilder {
  readonly #rules: FuzzRules;
  readonly #cases: FuzzCase[] = [];
  readonly #ids = new Set<string>();
  #nextLoginClientId = MD_CASE_CLIENT_ID_BASE;

  constructor(rules: FuzzRules) {
    this.#rules = rules;
  }

  build(): FuzzCase[] {
    this.#truncation();
    this.#length();
    this.#types();
    this.#version();
    this.#crc();
    this.#sequence();
    this.#snapshot();
    this.#slowloris();
    this.#flood();
    this.#churn();
    return this.#cases;
  }

  // ---- frames -------------------------------------------------------------------------------

  #login(sequence = 1, heartbeatIntervalMs = FUZZ_HEARTBEAT_INTERVAL_MS): Uint8Array {
    return frame({ type: MessageType.Login, symbolId: 0, sequence, timestampNs: TIMESTAMP_NS, clientId: this.#nextLoginClientId++, heartbeatIntervalMs });
  }

  #heartbeat(sequence: number): Uint8Array {
    return frame({ type: MessageType.Heartbeat, symbolId: 0, sequence, timestampNs: TIMESTAMP_NS + sequence });
  }

  #snapshotRequest(sequence: number, symbolId: number, levels: number): Uint8Array {
    return frame({ type: MessageType.SnapshotRequest, symbolId, sequence, timestampNs: TIMESTAMP_NS + sequence, levels });
  }

  #templates(): Template[] {
    return [
      { name: 'LOGIN', login: false, frame: this.#login() },
      { name: 'HEARTBEAT', login: true, frame: this.#heartbeat(2) },
      { name: 'LOGOUT', login: true,
        frame: frame({ type: MessageType.Logout, symbolId: 0, sequence: 2, timestampNs: TIMESTAMP_NS, reason: LogoutReason.UserRequested }) },
      { name: 'SESSION_ERROR', login: true,
        frame: frame({ type: MessageType.SessionError, symbolId: 0, sequence: 2, timestampNs: TIMESTAMP_NS,
          reason: SessionErrorReason.SequenceGap, refSequence: 1 }) },
      { name: 'SNAPSHOT_REQUEST', login: true, frame: this.#snapshotRequest(2, this.#rules.semanticSymbol.symbolId, 5) },
    ];
  }

  // ---- cases --------------------------------------------------------------------------------

  #add(id: string, cls: MarketDataFuzzClass, description: string, login: boolean, chunks: readonly FuzzChunk[],
    extra: { readonly expected?: ExpectedOutcome; readonly waitMs?: number; readonly churn?: ChurnPlan } = {}): void {
    if (!id.startsWith(`${cls}/`)) throw new Error(`md fuzz case id ${id} does not start with its class ${cls}`);
    if (this.#ids.has(id)) throw new Error(`duplicate fuzz case id ${id}`);
    this.#ids.add(id);
    const expected = extra.expected
      ?? predictOutcome(concatBytes(chunks.map((c) => c.bytes)), { loggedIn: login, channel: 'marketData' }, this.#rules);
    this.#cases.push({
      id, class: cls, channel: 'marketData', description, login, chunks, expected,
      ...(extra.waitMs === undefined ? {} : { waitMs: extra.waitMs }),
      ...(extra.churn === undefined ? {} : { churn: extra.churn }),
    });
  }

  #truncation(): void {
    for (const t of this.#templates()) {
      for (let cut = 1; cut < t.frame.length; cut++) {
        this.#add(`md/truncation/${t.name}/${cut}of${t.frame.length}`, 'md/truncation',
          `market data: ${t.name} cut after ${cut} of ${t.frame.length} bytes, then idle`, t.login, [{ bytes: t.frame.slice(0, cut) }]);
      }
    }
  }

  #length(): void {
    const max = this.#rules.maxFrameLength;
    for (const t of this.#templates()) {
      const trueLength = t.frame.length;
      const values = new Set([0, 1, 2, 8, 27, MIN_FRAME_LENGTH, 29, trueLength - 1, trueLength + 1, trueLength + 4, 255, 256,
        max - 1, max, max + 1, 0x8000, FRAME_LENGTH_LIMIT]);
      values.delete(trueLength);
      for (const length of [...values].sort((a, b) => a - b)) {
        const name = `0x${length.toString(16).padStart(4, '0')}`;
        const raw = t.frame.slice();
        raw[0] = length & 0xff;
        raw[1] = length >> 8;
        this.#add(`md/length/${t.name}/${name}-raw`, 'md/length', `market data: ${t.name} with length field ${length} (true ${trueLength})`,
          t.login, [{ bytes: raw }]);
        if (length >= MIN_FRAME_LENGTH && length <= max) {
          const sized = new Uint8Array(length);
          sized.set(t.frame.subarray(0, Math.min(length, trueLength)));
          sized[0] = length & 0xff;
          sized[1] = length >> 8;
          resealFrame(sized);
          this.#add(`md/length/${t.name}/${name}-resealed`, 'md/length',
            `market data: ${t.name} cut or zero-padded to length ${length} (true ${trueLength}), CRC recomputed`, t.login, [{ bytes: sized }]);
        }
      }
    }
  }

  /**
   * Every type byte a subscriber does not send: not in the table (UnknownMessageType), or in it
   * but never sent by a subscriber, such as NEW_ORDER or TRADE (UnexpectedMessage, rule 1, which
   * comes before NotLoggedIn), each in a frame of its own length, before and after login.
   */
  #types(): void {
    const subscriberTypes = new Set(messageLayouts.filter((l) => l.senders.includes('marketDataSubscriber')).map((l) => l.type as number));
    for (let type = 0; type < 256; type++) {
      if (subscriberTypes.has(type)) continue;
      const hex = `0x${type.toString(16).padStart(2, '0')}`;
      const known = messageLayout(type);
      const cls = known === undefined ? 'md/unknownType' : 'md/unexpected';
      const length = known?.frameLength ?? MIN_FRAME_LENGTH;
      for (const login of [false, true]) {
        const bytes = new Uint8Array(length);
        bytes[0] = length & 0xff;
        bytes[1] = length >> 8;
        bytes[2] = PROTOCOL_VERSION;
        bytes[3] = type;
        new DataView(bytes.buffer).setUint32(8, login ? 2 : 1, true);
        resealFrame(bytes);
        const state = login ? 'loggedIn' : 'beforeLogin';
        this.#add(`${cls}/${known === undefined ? hex : known.name}/${state}`, cls,
          `market data: type ${hex}${known === undefined ? ' (no such type)' : ` (${known.name}, never sent by a subscriber)`}, ${state}`,
          login, [{ bytes }]);
      }
    }
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
      this.#add(`md/unexpected/${name}/wellFormed`, 'md/unexpected', `market data: a valid ${name} after login`, true, [{ bytes: frame(message) }]);
    }
  }

  #version(): void {
    for (const t of this.#templates().filter((x) => x.name === 'LOGIN' || x.name === 'SNAPSHOT_REQUEST')) {
      for (let version = 0; version < 256; version++) {
        if (version === PROTOCOL_VERSION) continue;
        const bytes = t.frame.slice();
        bytes[2] = version;
        resealFrame(bytes);
        this.#add(`md/version/${t.name}/${version}`, 'md/version', `market data: ${t.name} with version ${version}`, t.login, [{ bytes }]);
      }
    }
  }

  #crc(): void {
    for (const t of this.#templates()) {
      const crcAt = t.frame.length - 4;
      for (let bit = 0; bit < t.frame.length * 8; bit++) {
        const bytes = t.frame.slice();
        bytes[bit >> 3]! ^= 1 << (bit & 7);
        const where = (bit >> 3) >= crcAt ? 'crc' : (bit >> 3) < 2 ? 'length field' : 'body';
        this.#add(`md/crc/${t.name}/bit-${bit}`, 'md/crc', `market data: ${t.name} with bit ${bit & 7} of byte ${bit >> 3} (${where}) flipped`,
          t.login, [{ bytes }]);
      }
      for (const [name, value] of [['zero', 0], ['ones', 0xffff_ffff]] as const) {
        const bytes = t.frame.slice();
        new DataView(bytes.buffer).setUint32(crcAt, value, true);
        this.#add(`md/crc/${t.name}/${name}`, 'md/crc', `market data: ${t.name} with CRC 0x${value.toString(16).padStart(8, '0')}`, t.login, [{ bytes }]);
      }
    }
  }

  /** Sequence and login rules on the subscriber's side: gaps, repeats, 0, going back, LOGIN twice, frames before LOGIN. */
  #sequence(): void {
    const sem = this.#rules.semanticSymbol.symbolId;
    const add = (name: string, description: string, login: boolean, ...frames: Uint8Array[]): void =>
      this.#add(`md/sequence/${name}`, 'md/sequence', `market data: ${description}`, login, [{ bytes: concatBytes(frames) }]);
    add('heartbeat-gap', 'HEARTBEAT with sequence 3 where 2 is due', true, this.#heartbeat(3));
    add('heartbeat-repeat', 'two HEARTBEATs with sequence 2', true, this.#heartbeat(2), this.#heartbeat(2));
    add('heartbeat-zero', 'HEARTBEAT with sequence 0', true, this.#heartbeat(0));
    add('back', 'sequence 2, 3, then 2 again', true, this.#heartbeat(2), this.#heartbeat(3), this.#heartbeat(2));
    add('snapshot-gap', 'SNAPSHOT_REQUEST with sequence 5 where 2 is due', true, this.#snapshotRequest(5, sem, 1));
    add('gap-after-snapshots', 'two SNAPSHOT_REQUESTs, then a gap', true,
      this.#snapshotRequest(2, sem, 1), this.#snapshotRequest(3, sem, 1), this.#heartbeat(9));
    add('sequence-above-2^53', 'HEARTBEAT with sequence 2^53', true, (() => {
      const b = this.#heartbeat(2);
      new DataView(b.buffer).setBigUint64(8, 2n ** 53n, true);
      resealFrame(b);
      return b;
    })());
    add('heartbeats-then-snapshot', 'HEARTBEATs, then a SNAPSHOT_REQUEST', true, this.#heartbeat(2), this.#heartbeat(3), this.#snapshotRequest(4, sem, 3));
    add('login-twice', 'a second LOGIN on a logged-in subscriber', true, this.#login(2));
    add('login-sequence-0', 'LOGIN with sequence 0', false, this.#login(0));
    add('login-sequence-2', 'LOGIN with sequence 2', false, this.#login(2));
    for (const interval of [0, 99, 60_001, 0xffff_ffff]) {
      add(`login-heartbeat-${interval}`, `LOGIN asking for a ${interval} ms heartbeat interval`, false, this.#login(1, interval));
    }
    add('heartbeat-before-login', 'HEARTBEAT as the first frame', false, this.#heartbeat(1));
    add('snapshot-before-login', 'SNAPSHOT_REQUEST as the first frame', false, this.#snapshotRequest(1, sem, 1));
    add('logout-before-login', 'LOGOUT as the first frame', false,
      frame({ type: MessageType.Logout, symbolId: 0, sequence: 1, timestampNs: TIMESTAMP_NS, reason: LogoutReason.UserRequested }));
    add('login-then-snapshot', 'LOGIN and SNAPSHOT_REQUEST in one write', false, this.#login(1), this.#snapshotRequest(2, sem, 2));
    add('logout', 'LOGOUT: the engine answers LOGOUT and closes', true,
      frame({ type: MessageType.Logout, symbolId: 0, sequence: 2, timestampNs: TIMESTAMP_NS, reason: 77 }));
    add('client-session-error', 'SESSION_ERROR from the subscriber: the engine closes', true,
      frame({ type: MessageType.SessionError, symbolId: 0, sequence: 2, timestampNs: TIMESTAMP_NS, reason: 1, refSequence: 0 }));
    add('snapshot-then-bad-crc', 'a valid SNAPSHOT_REQUEST then a bad CRC', true,
      this.#snapshotRequest(2, sem, 1), (() => { const b = this.#heartbeat(3); b[b.length - 1]! ^= 1; return b; })());
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
        this.#add(`md/snapshot/symbol-${symbolId}/levels-${n}`, 'md/snapshot', `market data: SNAPSHOT_REQUEST for symbol ${symbolId}, ${n} levels`,
          true, [{ bytes: this.#snapshotRequest(2, symbolId, n) }]);
      }
    }
    const reserved = messageLayout(MessageType.SnapshotRequest)!.fields.find((f) => f.reserved)!;
    for (const value of boundaryValues(reserved.wireType).filter((v) => v !== 0n)) {
      const bytes = this.#snapshotRequest(2, r.semanticSymbol.symbolId, 1);
      writeRawField(bytes, reserved, value);
      resealFrame(bytes);
      this.#add(`md/snapshot/reserved-${value}`, 'md/snapshot', `market data: SNAPSHOT_REQUEST with its reserved u16 = ${value}`, true, [{ bytes }]);
    }
    const many = Array.from({ length: 50 }, (_, i) => this.#snapshotRequest(2 + i, i % 2 === 0 ? r.semanticSymbol.symbolId : r.unknownSymbolId, 1 + (i % 5)));
    this.#add('md/snapshot/fifty-in-one-write', 'md/snapshot', 'market data: 50 SNAPSHOT_REQUESTs in one write, answered in order', true,
      [{ bytes: concatBytes(many) }]);
  }

  /** Slow writers and silences: the login timeout and the dead-peer rule hold on market data too. */
  #slowloris(): void {
    const request = this.#snapshotRequest(2, this.#rules.semanticSymbol.symbolId, 2);
    this.#add('md/slowloris/byte-per-write', 'md/slowloris', 'market data: a SNAPSHOT_REQUEST written a byte at a time, 20 ms apart', true,
      Array.from(request, (byte, i) => ({ bytes: Uint8Array.of(byte), ...(i === 0 ? {} : { pauseMs: 20 }) })));
    for (const [name, at] of [['mid-length', 1], ['mid-header', 10], ['before-crc', 28]] as const) {
      this.#add(`md/slowloris/idle-${name}`, 'md/slowloris', `market data: SNAPSHOT_REQUEST: ${at} bytes, 300 ms idle, the rest`, true,
        [{ bytes: request.subarray(0, at) }, { bytes: request.subarray(at), pauseMs: 300 }]);
    }
    const loginTimeout: ExpectedOutcome = { answers: [], end: { kind: 'sessionError', reason: SessionErrorReason.LoginTimeout, refSequence: 0 } };
    this.#add('md/slowloris/no-login', 'md/slowloris', 'market data: connect and send nothing: LoginTimeout after 2 s', false, [],
      { expected: loginTimeout, waitMs: 3_500 });
    this.#add('md/slowloris/partial-login', 'md/slowloris', 'market data: 10 bytes of a LOGIN, then nothing: LoginTimeout after 2 s', false,
      [{ bytes: this.#login().subarray(0, 10) }], { expected: loginTimeout, waitMs: 3_500 });
    const minInterval = this.#rules.minHeartbeatIntervalMs;
    const heartbeatTimeout: ExpectedOutcome = {
      answers: [{ type: 'LOGIN_ACK' }],
      end: { kind: 'sessionError', reason: SessionErrorReason.HeartbeatTimeout, refSequence: 0 },
    };
    // The engine's FEED_HEARTBEATs do not keep a silent subscriber alive: its own HEARTBEATs must arrive.
    this.#add('md/slowloris/silence-past-heartbeat', 'md/slowloris', `market data: LOGIN with a ${minInterval} ms heartbeat, then silence`, false,
      [{ bytes: this.#login(1, minInterval) }], { expected: heartbeatTimeout, waitMs: 20 * minInterval + 1_000 });
    this.#add('md/slowloris/partial-frame-past-heartbeat', 'md/slowloris',
      `market data: LOGIN with a ${minInterval} ms heartbeat, then half a SNAPSHOT_REQUEST and silence`, false,
      [{ bytes: concatBytes([this.#login(1, minInterval), request.subarray(0, 16)]) }],
      { expected: heartbeatTimeout, waitMs: 20 * minInterval + 1_000 });
  }

  /** Floods past the rate limit: HEARTBEATs, and SNAPSHOT_REQUESTs (each answered until the limit ends the session). */
  #flood(): void {
    const flood = this.#rules.floodFrames;
    this.#add('md/flood/heartbeats', 'md/flood', `market data: ${flood} HEARTBEATs in one write: RateLimitExceeded`, true,
      [{ bytes: concatBytes(Array.from({ length: flood }, (_, i) => this.#heartbeat(2 + i))) }],
      { expected: { answers: [], end: { kind: 'sessionError', reason: SessionErrorReason.RateLimitExceeded } }, waitMs: 5_000 });
    // PROTOCOL.md says the engine *may* end a flooding session (RateLimitExceeded); whether a
    // burst of requests that each cost the engine a snapshot trips it depends on how fast it reads.
    // So: any protocol reaction, well-formed frames, then the probe. An untraded symbol keeps each
    // answer a 36-byte empty snapshot, well inside the subscriber's outbound cap.
    const symbolId = this.#rules.unknownSymbolId;
    this.#add('md/flood/snapshot-requests', 'md/flood', `market data: ${SNAPSHOT_FLOOD} SNAPSHOT_REQUESTs in one write: survives`, true,
      [{ bytes: concatBytes(Array.from({ length: SNAPSHOT_FLOOD }, (_, i) => this.#snapshotRequest(2 + i, symbolId, 1))) }],
      { expected: { answers: [], end: { kind: 'survives' } }, waitMs: 5_000 });
  }

  /** Churn on the market-data port, played by playChurnCase.ts like order entry's. */
  #churn(): void {
    const survives: ExpectedOutcome = { answers: [], end: { kind: 'survives' } };
    const n = CHURN_BURST_CONNECTIONS;
    for (const [name, login, what] of [['no-bytes', 'none', 'nothing written'], ['partial-login', 'partial', '10 bytes of a LOGIN each'],
      ['login', 'whole', 'a LOGIN each']] as const) {
      this.#add(`md/churn/burst-${n}-${name}`, 'md/churn', `market data: ${n} connections opened at once, ${what}, all closed at once`, false, [],
        { expected: survives, churn: { kind: 'burst', connections: n, login } });
    }
    this.#add('md/churn/reset-mid-login', 'md/churn', 'market data: half a LOGIN, then a TCP reset', false, [{ bytes: this.#login().subarray(0, 20) }],
      { expected: survives, churn: { kind: 'reset', answersFirst: 0 } });
    this.#add('md/churn/reset-after-snapshot-request', 'md/churn', 'market data: a SNAPSHOT_REQUEST and half of another, then a TCP reset', true,
      [{ bytes: concatBytes([this.#snapshotRequest(2, this.#rules.semanticSymbol.symbolId, 3),
        this.#snapshotRequest(3, this.#rules.semanticSymbol.symbolId, 3).subarray(0, 20)]) }],
      { expected: survives, churn: { kind: 'reset', answersFirst: 1 } });
    // Half-open: PROTOCOL.md has no rule for it; a subscriber that can send nothing more is dead
    // by the heartbeat rule or the login timeout, so the engine must close by then (the conservative outcome).
    const interval = this.#rules.minHeartbeatIntervalMs;
    this.#add('md/churn/half-open-before-login', 'md/churn', 'market data: connect and half-close at once', false, [],
      { expected: { answers: [], end: { kind: 'hangUp', reasons: [SessionErrorReason.LoginTimeout] } }, waitMs: 3_500, churn: { kind: 'halfClose' } });
    this.#add('md/churn/half-open-after-login', 'md/churn', `market data: LOGIN with a ${interval} ms heartbeat, then half-close`, false,
      [{ bytes: this.#login(1, interval) }],
      { expected: { answers: [{ type: 'LOGIN_ACK' }], end: { kind: 'hangUp', reasons: [SessionErrorReason.HeartbeatTimeout] } },
        waitMs: 3 * interval + 1_000, churn: { kind: 'halfClose' } });
    const max = this.#rules.maxConnections;
    if (max !== undefined) {
      this.#add('md/churn/beyond-limit', 'md/churn', `market data: ${max} subscribers logged in (the limit), then one more connection sends LOGIN`,
        false, [], { expected: { answers: [], end: { kind: 'sessionError', reason: SessionErrorReason.TooManyConnections } },
          churn: { kind: 'beyondLimit', maxConnections: max } });
    }
  }
}

function frame(message: Message): Uint8Array {
  return new Uint8Array(encode(message));
}
