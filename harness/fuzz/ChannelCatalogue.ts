/**
 * One port's fuzz catalogue under construction: the case list (unique ids, outcomes predicted by
 * {@link predictOutcome} for the port) and the generators the order-entry catalogue
 * (fuzzCatalogue.ts) and the market-data catalogue (mdFuzzCatalogue.ts) share. The port decides
 * the names: order entry's ids and classes are bare (`crc/LOGIN/bit-3`), market data's start with
 * `md/` and its descriptions with `market data: `; everything else is one implementation.
 *
 * ```
 *  fuzzCatalogue ───┐                        ┌─ truncation, length, version, crc   (the port's templates)
 *                   ├─► ChannelCatalogue ────┼─ foreignTypes                        (types the port's sender never sends)
 *  mdFuzzCatalogue ─┘   (orderEntry |        ├─ slowWrites, timeouts, heartbeatFlood
 *                        marketData)         └─ churnBursts, halfOpenCases, beyondLimit
 * ```
 */

import { LogoutReason, SessionErrorReason } from '../../engine/protocol/codes.js';
import { encode } from '../../engine/protocol/encode.js';
import { MIN_FRAME_LENGTH, PROTOCOL_VERSION, messageLayout, messageLayouts, type MessageLayout, type Sender } from '../../engine/protocol/messageLayouts.js';
import { MessageType, type Message } from '../../engine/protocol/messages.js';
import { resealFrame } from '../../engine/protocol/rawFrame.js';
import { concatBytes, type ChurnPlan, type ExpectedAnswer, type ExpectedOutcome, type FuzzCase, type FuzzChannel, type FuzzChunk, type FuzzClass } from './FuzzCase.js';
import type { FuzzRules } from './fuzzRules.js';
import { predictOutcome } from './predictOutcome.js';

/** `timestampNs` of the catalogues' frames: an hour on the fuzzer's clock (any value below 2^53 is valid). */
export const CATALOGUE_TIMESTAMP_NS = 3_600_000_000_000;
/** The heartbeat interval of LOGINs the fuzzer sends: long, so that no HEARTBEAT breaks a quiet period. */
export const FUZZ_HEARTBEAT_INTERVAL_MS = 60_000;
/** Connections of each churn burst: well past a small limit, well inside the listen backlog (511). */
export const CHURN_BURST_CONNECTIONS = 200;

/** What a port's catalogue calls things, and where its LOGINs' client ids start. */
interface ChannelNaming {
  /** Prefix of every class and id of the port. */
  readonly classPrefix: '' | 'md/';
  /** Prefix of every description of the port. */
  readonly descriptionPrefix: string;
  /** Who sends requests on the port: the types it never sends are swept by {@link ChannelCatalogue.foreignTypes}. */
  readonly sender: Sender;
  /** What the port's logged-in peers are called (the connection-limit case). */
  readonly peers: string;
  /** Said after a raw length-field mutation's description (order entry's wording; market data's never said it). */
  readonly rawLengthNote: string;
  /**
   * Client id of the first LOGIN inside case bytes; each LOGIN takes the next, so that no two
   * cases log in with the same id (a second connection with a logged-in id gets InvalidLogin).
   * Both bases lie below the runner's own logins (RUNNER_CLIENT_ID_BASE, 0x4000_0000) and above
   * the clientId sweep's boundary values.
   */
  readonly loginClientIdBase: number;
}

const NAMING: Readonly<Record<FuzzChannel, ChannelNaming>> = {
  orderEntry: {
    classPrefix: '', descriptionPrefix: '', sender: 'orderEntryClient', peers: 'sessions',
    rawLengthNote: ', the frame\'s own bytes', loginClientIdBase: 0x3000_0000,
  },
  marketData: {
    classPrefix: 'md/', descriptionPrefix: 'market data: ', sender: 'marketDataSubscriber', peers: 'subscribers',
    rawLengthNote: '', loginClientIdBase: 0x3800_0000,
  },
};

/** The classes both ports have; the port's prefix makes them its own (`crc`, `md/crc`). */
type SharedClass = 'truncation' | 'length' | 'version' | 'crc' | 'slowloris' | 'churn';

/** A valid frame to mutate, and the frames that go before it on its connection. */
export interface FrameTemplate {
  /** The message type's name, part of every id (`truncation/LOGIN/3of36`). */
  readonly name: string;
  /** Sent after the runner's LOGIN (the frame's sequence is then 2). */
  readonly login: boolean;
  /** Valid frames sent first in the same write (a live order for CANCEL and REPLACE sweeps). */
  readonly prefix?: Uint8Array;
  readonly frame: Uint8Array;
}

/** A frame of a type the port's sender never sends, as {@link ChannelCatalogue.foreignTypes} hands it over for naming. */
export interface ForeignTypeFrame {
  readonly type: number;
  /** `0x0b`. */
  readonly hex: string;
  /** The type's layout when the protocol has the type (sent by someone else), else undefined. */
  readonly known: MessageLayout | undefined;
  /** The frame's length: the type's own, or the header's 28 bytes for an unknown type. */
  readonly lengthBytes: number;
  readonly state: 'beforeLogin' | 'loggedIn';
}

/** Id, class and description of one case. */
export interface CaseName {
  readonly id: string;
  readonly class: FuzzClass;
  readonly description: string;
}

/** What a case may carry besides its bytes: an outcome the oracle does not model, and how to play it. */
export interface CaseExtra {
  /** The outcome, for cases whose answer comes from a timer (the oracle does not model timers). Default: predicted. */
  readonly expected?: ExpectedOutcome;
  readonly waitMs?: number;
  readonly peerOrders?: Uint8Array;
  readonly churn?: ChurnPlan;
}

/** `message` encoded as a valid frame. */
export function encodeFrame(message: Message): Uint8Array {
  return new Uint8Array(encode(message));
}

/** Builds one port's cases, in the order its catalogue asks for them. */
export class ChannelCatalogue {
  readonly #rules: FuzzRules;
  readonly #channel: FuzzChannel;
  readonly #naming: ChannelNaming;
  readonly #cases: FuzzCase[] = [];
  readonly #ids = new Set<string>();
  #nextLoginClientId: number;

  constructor(rules: FuzzRules, channel: FuzzChannel) {
    this.#rules = rules;
    this.#channel = channel;
    this.#naming = NAMING[channel];
    this.#nextLoginClientId = this.#naming.loginClientIdBase;
  }

  /** The cases added so far, in order. */
  get cases(): FuzzCase[] {
    return this.#cases;
  }

  // ---- frames -------------------------------------------------------------------------------

  /** A client id no LOGIN of this catalogue has used. */
  nextLoginClientId(): number {
    return this.#nextLoginClientId++;
  }

  /** A LOGIN with a fresh client id. */
  login(sequence = 1, heartbeatIntervalMs = FUZZ_HEARTBEAT_INTERVAL_MS): Uint8Array {
    return encodeFrame({ type: MessageType.Login, symbolId: 0, sequence, timestampNs: CATALOGUE_TIMESTAMP_NS,
      clientId: this.nextLoginClientId(), heartbeatIntervalMs });
  }

  heartbeat(sequence: number): Uint8Array {
    return encodeFrame({ type: MessageType.Heartbeat, symbolId: 0, sequence, timestampNs: CATALOGUE_TIMESTAMP_NS + sequence });
  }

  logout(sequence: number, reason: number): Uint8Array {
    return encodeFrame({ type: MessageType.Logout, symbolId: 0, sequence, timestampNs: CATALOGUE_TIMESTAMP_NS, reason });
  }

  sessionError(sequence: number, reason: number, refSequence: number): Uint8Array {
    return encodeFrame({ type: MessageType.SessionError, symbolId: 0, sequence, timestampNs: CATALOGUE_TIMESTAMP_NS, reason, refSequence });
  }

  /**
   * One valid frame of each session type both ports' clients send (LOGIN on a fresh connection,
   * with a fresh client id, the others after it); the port adds its own requests.
   */
  sessionTemplates(): FrameTemplate[] {
    return [
      { name: 'LOGIN', login: false, frame: this.login() },
      { name: 'HEARTBEAT', login: true, frame: this.heartbeat(2) },
      { name: 'LOGOUT', login: true, frame: this.logout(2, LogoutReason.UserRequested) },
      { name: 'SESSION_ERROR', login: true, frame: this.sessionError(2, SessionErrorReason.SequenceGap, 1) },
    ];
  }

  // ---- cases --------------------------------------------------------------------------------

  /** Adds a case, its outcome predicted from its bytes for this port unless `extra.expected` gives it. */
  add(id: string, cls: FuzzClass, description: string, login: boolean, chunks: readonly FuzzChunk[], extra: CaseExtra = {}): void {
    if (!id.startsWith(`${cls}/`)) throw new Error(`fuzz case id ${id} does not start with its class ${cls}`);
    if (cls.startsWith('md/') !== (this.#channel === 'marketData')) throw new Error(`fuzz case class ${cls} is not of the ${this.#channel} port`);
    if (this.#ids.has(id)) throw new Error(`duplicate fuzz case id ${id}`);
    this.#ids.add(id);
    const expected = extra.expected
      ?? predictOutcome(concatBytes(chunks.map((c) => c.bytes)), { loggedIn: login, channel: this.#channel }, this.#rules);
    this.#cases.push({
      // Order entry is the default port: its cases leave `channel` out.
      id, class: cls, ...(this.#channel === 'orderEntry' ? {} : { channel: this.#channel }), description, login, chunks, expected,
      ...(extra.waitMs === undefined ? {} : { waitMs: extra.waitMs }),
      ...(extra.peerOrders === undefined ? {} : { peerOrders: extra.peerOrders }),
      ...(extra.churn === undefined ? {} : { churn: extra.churn }),
    });
  }

  /** A case of one write: the template's prefix and a mutated copy of its frame. */
  addMutation(t: FrameTemplate, id: string, cls: FuzzClass, description: string, mutated: Uint8Array): void {
    this.add(id, cls, description, t.login, [{ bytes: t.prefix === undefined ? mutated : concatBytes([t.prefix, mutated]) }]);
  }

  /** Every template cut after every byte: the engine must wait for the rest. */
  truncation(templates: readonly FrameTemplate[]): void {
    const cls = this.#class('truncation');
    for (const t of templates) {
      for (let cut = 1; cut < t.frame.length; cut++) {
        this.addMutation(t, `${cls}/${t.name}/${cut}of${t.frame.length}`, cls,
          `${this.#naming.descriptionPrefix}${t.name} cut after ${cut} of ${t.frame.length} bytes, then idle`, t.frame.slice(0, cut));
      }
    }
  }

  /**
   * Every template with its length field set to each of `lengths(trueLength)` (the true length
   * left out): the frame's own bytes, and, where the length is one the engine accepts, the frame
   * cut or zero-padded to it with a matching CRC (which reaches decoding step 7).
   */
  length(templates: readonly FrameTemplate[], lengths: (trueLength: number) => readonly number[]): void {
    const cls = this.#class('length');
    const max = this.#rules.maxFrameLength;
    const { descriptionPrefix: say, rawLengthNote } = this.#naming;
    for (const t of templates) {
      const trueLength = t.frame.length;
      const values = new Set(lengths(trueLength));
      values.delete(trueLength);
      for (const length of [...values].sort((a, b) => a - b)) {
        const name = `0x${length.toString(16).padStart(4, '0')}`;
        const raw = t.frame.slice();
        raw[0] = length & 0xff;
        raw[1] = length >> 8;
        this.addMutation(t, `${cls}/${t.name}/${name}-raw`, cls,
          `${say}${t.name} with length field ${length} (true ${trueLength})${rawLengthNote}`, raw);
        if (length >= MIN_FRAME_LENGTH && length <= max) {
          const sized = new Uint8Array(length);
          sized.set(t.frame.subarray(0, Math.min(length, trueLength)));
          sized[0] = length & 0xff;
          sized[1] = length >> 8;
          resealFrame(sized);
          this.addMutation(t, `${cls}/${t.name}/${name}-resealed`, cls,
            `${say}${t.name} cut or zero-padded to length ${length} (true ${trueLength}), CRC recomputed`, sized);
        }
      }
    }
  }

  /**
   * Every type byte the port's sender never sends, in a valid frame of the type's own length (the
   * header's for an unknown type), before and after login; `name` names each case, and
   * `afterType` may add cases after each type's two.
   */
  foreignTypes(name: (frame: ForeignTypeFrame) => CaseName, afterType?: (type: number, hex: string, known: MessageLayout | undefined) => void): void {
    const ownTypes = new Set(messageLayouts.filter((l) => l.senders.includes(this.#naming.sender)).map((l) => l.type as number));
    for (let type = 0; type < 256; type++) {
      if (ownTypes.has(type)) continue;
      const hex = `0x${type.toString(16).padStart(2, '0')}`;
      const known = messageLayout(type);
      const lengthBytes = known?.frameLength ?? MIN_FRAME_LENGTH;
      for (const login of [false, true]) {
        const bytes = new Uint8Array(lengthBytes);
        bytes[0] = lengthBytes & 0xff;
        bytes[1] = lengthBytes >> 8;
        bytes[2] = PROTOCOL_VERSION;
        bytes[3] = type;
        new DataView(bytes.buffer).setUint32(8, login ? 2 : 1, true);
        resealFrame(bytes);
        const c = name({ type, hex, known, lengthBytes, state: login ? 'loggedIn' : 'beforeLogin' });
        this.add(c.id, c.class, c.description, login, [{ bytes }]);
      }
      afterType?.(type, hex, known);
    }
  }

  /** Every template with each version byte but the protocol's, CRC recomputed. */
  version(templates: readonly FrameTemplate[]): void {
    const cls = this.#class('version');
    for (const t of templates) {
      for (let version = 0; version < 256; version++) {
        if (version === PROTOCOL_VERSION) continue;
        const bytes = t.frame.slice();
        bytes[2] = version;
        resealFrame(bytes);
        this.addMutation(t, `${cls}/${t.name}/${version}`, cls, `${this.#naming.descriptionPrefix}${t.name} with version ${version}`, bytes);
      }
    }
  }

  /** Every bit of every template flipped, and its CRC all zeros and all ones. */
  crc(templates: readonly FrameTemplate[]): void {
    const cls = this.#class('crc');
    const say = this.#naming.descriptionPrefix;
    for (const t of templates) {
      const crcAt = t.frame.length - 4;
      for (let bit = 0; bit < t.frame.length * 8; bit++) {
        const bytes = t.frame.slice();
        bytes[bit >> 3]! ^= 1 << (bit & 7);
        const where = (bit >> 3) >= crcAt ? 'crc' : (bit >> 3) < 2 ? 'length field' : 'body';
        this.addMutation(t, `${cls}/${t.name}/bit-${bit}`, cls, `${say}${t.name} with bit ${bit & 7} of byte ${bit >> 3} (${where}) flipped`, bytes);
      }
      for (const [name, value] of [['zero', 0], ['ones', 0xffff_ffff]] as const) {
        const bytes = t.frame.slice();
        new DataView(bytes.buffer).setUint32(crcAt, value, true);
        this.addMutation(t, `${cls}/${t.name}/${name}`, cls, `${say}${t.name} with CRC 0x${value.toString(16).padStart(8, '0')}`, bytes);
      }
    }
  }

  /**
   * One valid request (`t`, after login) written a byte at a time, 20 ms apart, and in two writes
   * cut at each of `cuts` with 300 ms idle between; `what` names the request in the first
   * description (`one NEW_ORDER`).
   */
  slowWrites(t: FrameTemplate, what: string, cuts: readonly (readonly [string, number])[]): void {
    const cls = this.#class('slowloris');
    const say = this.#naming.descriptionPrefix;
    this.add(`${cls}/byte-per-write`, cls, `${say}${what} written a byte at a time, 20 ms apart`, t.login,
      Array.from(t.frame, (byte, i) => ({ bytes: Uint8Array.of(byte), ...(i === 0 ? {} : { pauseMs: 20 }) })));
    for (const [name, at] of cuts) {
      this.add(`${cls}/idle-${name}`, cls, `${say}${t.name}: ${at} bytes, 300 ms idle, the rest`, t.login,
        [{ bytes: t.frame.subarray(0, at) }, { bytes: t.frame.subarray(at), pauseMs: 300 }]);
    }
  }

  /**
   * Silences the engine's timers must end (docs/PROTOCOL.md, "Session rules"): no LOGIN within
   * 2 s; nothing for 3 heartbeat intervals after one, even with `halfFrame` (called `halfFrameName`)
   * left unfinished, since loose bytes of a frame are not something that "arrived".
   */
  timeouts(halfFrame: Uint8Array, halfFrameName: string): void {
    const cls = this.#class('slowloris');
    const say = this.#naming.descriptionPrefix;
    const loginTimeout: ExpectedOutcome = { answers: [], end: { kind: 'sessionError', reason: SessionErrorReason.LoginTimeout, refSequence: 0 } };
    this.add(`${cls}/no-login`, cls, `${say}connect and send nothing: LoginTimeout after 2 s`, false, [], { expected: loginTimeout, waitMs: 3_500 });
    this.add(`${cls}/partial-login`, cls, `${say}10 bytes of a LOGIN, then nothing: LoginTimeout after 2 s`, false,
      [{ bytes: this.login().subarray(0, 10) }], { expected: loginTimeout, waitMs: 3_500 });
    const heartbeatTimeout: ExpectedOutcome = {
      answers: [{ type: 'LOGIN_ACK' }],
      end: { kind: 'sessionError', reason: SessionErrorReason.HeartbeatTimeout, refSequence: 0 },
    };
    const minInterval = this.#rules.minHeartbeatIntervalMs;
    const waitMs = 20 * minInterval + 1_000;
    this.add(`${cls}/silence-past-heartbeat`, cls, `${say}LOGIN with a ${minInterval} ms heartbeat, then silence`, false,
      [{ bytes: this.login(1, minInterval) }], { expected: heartbeatTimeout, waitMs });
    this.add(`${cls}/partial-frame-past-heartbeat`, cls, `${say}LOGIN with a ${minInterval} ms heartbeat, then ${halfFrameName} and silence`,
      false, [{ bytes: concatBytes([this.login(1, minInterval), halfFrame]) }], { expected: heartbeatTimeout, waitMs });
  }

  /** `rules.floodFrames` HEARTBEATs in one write, after login: the engine must end the session with RateLimitExceeded. */
  heartbeatFlood(id: string, cls: FuzzClass): void {
    const flood = this.#rules.floodFrames;
    this.add(id, cls, `${this.#naming.descriptionPrefix}${flood} HEARTBEATs in one write: RateLimitExceeded`, true,
      [{ bytes: concatBytes(Array.from({ length: flood }, (_, i) => this.heartbeat(2 + i))) }],
      { expected: { answers: [], end: { kind: 'sessionError', reason: SessionErrorReason.RateLimitExceeded } }, waitMs: 5_000 });
  }

  /** Bursts of connections closed at once (nothing, part of a LOGIN, a LOGIN each), and a reset mid-LOGIN: the engine survives. */
  churnBursts(): void {
    const cls = this.#class('churn');
    const say = this.#naming.descriptionPrefix;
    const survives: ExpectedOutcome = { answers: [], end: { kind: 'survives' } };
    const n = CHURN_BURST_CONNECTIONS;
    for (const [name, login, what] of [['no-bytes', 'none', 'nothing written'], ['partial-login', 'partial', '10 bytes of a LOGIN each'],
      ['login', 'whole', 'a LOGIN each']] as const) {
      this.add(`${cls}/burst-${n}-${name}`, cls, `${say}${n} connections opened at once, ${what}, all closed at once`, false, [],
        { expected: survives, churn: { kind: 'burst', connections: n, login } });
    }
    this.add(`${cls}/reset-mid-login`, cls, `${say}half a LOGIN, then a TCP reset`, false, [{ bytes: this.login().subarray(0, 20) }],
      { expected: survives, churn: { kind: 'reset', answersFirst: 0 } });
  }

  /**
   * Half-open connections (we send FIN, keep reading) before and after login. PROTOCOL.md has no
   * rule for them, but a peer that can send nothing more is dead by the heartbeat rule (3
   * intervals) or the login timeout, so the engine must close by then: at once (silently) or
   * with that SESSION_ERROR.
   */
  halfOpenCases(): void {
    const cls = this.#class('churn');
    this.add(`${cls}/half-open-before-login`, cls, `${this.#naming.descriptionPrefix}connect and half-close at once`, false, [],
      { expected: { answers: [], end: { kind: 'hangUp', reasons: [SessionErrorReason.LoginTimeout] } }, waitMs: 3_500,
        churn: { kind: 'halfClose' } });
    const interval = this.#rules.minHeartbeatIntervalMs;
    this.halfOpenAfterLogin('after-login', `LOGIN with a ${interval} ms heartbeat, then half-close`, [], [{ type: 'LOGIN_ACK' }]);
  }

  /**
   * A half-open case after a LOGIN with the shortest heartbeat interval and `then` (frames of the
   * same write): `answers`, then the engine hangs up within 3 intervals.
   */
  halfOpenAfterLogin(name: string, description: string, then: readonly Uint8Array[], answers: readonly ExpectedAnswer[]): void {
    const cls = this.#class('churn');
    const interval = this.#rules.minHeartbeatIntervalMs;
    this.add(`${cls}/half-open-${name}`, cls, `${this.#naming.descriptionPrefix}${description}`, false,
      [{ bytes: concatBytes([this.login(1, interval), ...then]) }],
      { expected: { answers, end: { kind: 'hangUp', reasons: [SessionErrorReason.HeartbeatTimeout] } }, waitMs: 3 * interval + 1_000,
        churn: { kind: 'halfClose' } });
  }

  /** When the engine's connection limit is known: that many peers logged in, then one more sends LOGIN (TooManyConnections). */
  beyondLimit(): void {
    const max = this.#rules.maxConnections;
    if (max === undefined) return;
    const cls = this.#class('churn');
    this.add(`${cls}/beyond-limit`, cls,
      `${this.#naming.descriptionPrefix}${max} ${this.#naming.peers} logged in (the limit), then one more connection sends LOGIN`, false, [],
      { expected: { answers: [], end: { kind: 'sessionError', reason: SessionErrorReason.TooManyConnections } },
        churn: { kind: 'beyondLimit', maxConnections: max } });
  }

  #class(base: SharedClass): FuzzClass {
    return `${this.#naming.classPrefix}${base}`;
  }
}
