/**
 * From a parsed layout file to a {@link FeedLayout}: checks each section against its schema
 * (feedLayoutSchema.ts) on its own, so that a problem in one does not hide another's, then the
 * rules that tie sections together: fields inside their frames, names that exist, the checksum
 * inside every message type, sizes that the framing can carry. Every problem is returned with its
 * path; none is thrown.
 */
import * as z from 'zod';
import { describeValue } from '../scenario/describeValue.js';
import { parseHostPort } from '../scenario/parseTarget.js';
import type { ScenarioPath, ScenarioProblem } from '../scenario/scenarioProblem.js';
import { parseInto, unknownKeysMessage } from '../scenario/scenarioSchema.js';
import {
  FIELD_TYPE_BYTES, framePosition, type FeedLayout, type LayoutChecksum, type LayoutField, type LayoutFraming, type LayoutMessage,
  type LayoutTimestamp, type OutboundMessage, type SequenceRole,
} from './FeedLayout.js';
import {
  FEED_LAYOUT_VERSION, fieldSchema, framingSchema, keepaliveSchema, messageSchema, outboundSchema, topLevelSchema, type FieldFile,
  type OutboundFile,
} from './feedLayoutSchema.js';
import { fieldTypeRange, writeField } from './layoutBytes.js';

/** Result of {@link resolveFeedLayout}. */
export type ResolvedFeedLayout =
  | { readonly ok: true; readonly value: FeedLayout }
  | { readonly ok: false; readonly problems: readonly ScenarioProblem[] };

const UNIT_NS = { ns: 1, us: 1_000, ms: 1_000_000, s: 1_000_000_000 } as const;
const CHECKSUM_WIDTH = { none: 0, xor8: 1, xor32le: 4, crc32c: 4 } as const;

/** Validates `input` (a layout file's YAML, parsed) and builds the layout. */
export function resolveFeedLayout(input: unknown): ResolvedFeedLayout {
  const problems: ScenarioProblem[] = [];
  const add = (path: ScenarioPath, message: string): void => {
    problems.push({ path, message });
  };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, problems: [{ path: [], message: `a layout file is a map of keys (version, framing, header, messages, ...), got ${describeValue(input)}` }] };
  }
  const raw = input as Record<string, unknown>;
  if (raw['version'] !== undefined && raw['version'] !== FEED_LAYOUT_VERSION) {
    return { ok: false, problems: [{ path: ['version'], message: `this build reads layout format version ${FEED_LAYOUT_VERSION} only, the file is version ${String(raw['version'])}` }] };
  }
  // Each section on its own, so that one bad section does not make the checks of another report nonsense.
  const shape = topLevelSchema.shape;
  const known = Object.keys(shape);
  for (const key of Object.keys(raw)) if (!known.includes(key)) add([], unknownKeysMessage([key], known));
  const section = <K extends keyof typeof shape>(key: K): z.output<(typeof shape)[K]> | undefined =>
    parseInto(shape[key] as unknown as z.ZodType<z.output<(typeof shape)[K]>, unknown>, raw[key], [key], problems);
  const failed = (key: string): boolean => problems.some((p) => p.path[0] === key);
  const top = {
    version: section('version'), name: section('name'), description: section('description'), endianness: section('endianness'),
    typeField: section('typeField'), sequence: section('sequence'), timestamp: section('timestamp'), checksum: section('checksum'),
    heartbeat: section('heartbeat'),
  };
  const framingFile = parseInto(framingSchema, raw['framing'], ['framing'], problems);
  const defaultLittle = (top.endianness ?? 'little') === 'little';

  // ---- header
  const headerFields: LayoutField[] = [];
  const headerList = parseInto(z.array(z.unknown()).min(1), raw['header'], ['header'], problems) ?? [];
  headerList.forEach((entry, i) => {
    const f = parseInto(fieldSchema, entry, ['header', i], problems);
    if (f !== undefined && checkField(f, ['header', i], add)) headerFields.push(field(f, defaultLittle));
  });
  const headerBytes = headerFields.reduce((end, f) => Math.max(end, f.offset + f.sizeBytes), 0);
  duplicates(headerFields, ['header'], add);
  const headerField = (name: string | undefined, path: ScenarioPath, what: string, unsignedOnly = true): LayoutField | undefined => {
    if (name === undefined) return undefined;
    const f = headerFields.find((h) => h.name === name);
    if (f === undefined) {
      if (headerList.length > 0) add(path, `${what} "${name}" is not a header field; header fields: ${headerFields.map((h) => h.name).join(', ')}`);
      return undefined;
    }
    if (unsignedOnly && !f.type.startsWith('u')) add(path, `${what} "${name}" must be unsigned, it is ${f.type}`);
    return f;
  };
  const typeField = headerField(top.typeField, ['typeField'], 'typeField');
  if (typeField !== undefined && typeField.sizeBytes > 2) add(['typeField'], `typeField "${typeField.name}" must be u8 or u16, it is ${typeField.type}`);

  // ---- framing
  let framing: LayoutFraming | undefined;
  if (framingFile?.kind === 'fixed') framing = { kind: 'fixed' };
  else if (framingFile?.kind === 'length-prefixed') {
    const lengthField = headerField(framingFile.lengthField, ['framing', 'lengthField'], 'lengthField');
    if (lengthField !== undefined && lengthField.sizeBytes > 4) add(['framing', 'lengthField'], `lengthField "${lengthField.name}" must be u8, u16 or u32, it is ${lengthField.type}`);
    if (lengthField !== undefined) framing = { kind: 'length-prefixed', lengthField, lengthCounts: framingFile.lengthCounts ?? 'frame' };
  } else if (framingFile?.kind === 'moldudp64') {
    const retransmit = framingFile.retransmit === undefined ? null : parseHostPort(framingFile.retransmit);
    if (retransmit?.ok === false) for (const p of retransmit.problems) add(['framing', 'retransmit'], p);
    // One-way UDP: the reader sends only re-requests, and the sequence is Mold's, implicit per message block.
    if (raw['subscribe'] !== undefined || raw['keepalive'] !== undefined) add(['framing'], 'moldudp64 is one-way: subscribe and keepalive messages cannot be sent');
    if (raw['sequence'] !== undefined) add(['sequence'], 'with moldudp64 framing the sequence is Mold\'s (the packet\'s plus the message\'s index): remove it');
    if (retransmit?.ok !== false) {
      framing = { kind: 'moldudp64', session: framingFile.session ?? null, firstSequence: framingFile.first ?? null,
        retransmit: retransmit === null ? null : retransmit.value };
    }
  }

  // ---- sequence, timestamp, checksum (layout-wide)
  const sequenceField = headerField(top.sequence?.field, ['sequence', 'field'], 'sequence.field');
  const timestampField = headerField(top.timestamp?.field, ['timestamp', 'field'], 'timestamp.field');
  const timestamp: LayoutTimestamp | null = top.timestamp === undefined ? null : { unitNs: UNIT_NS[top.timestamp.unit], clock: top.timestamp.clock };
  const checksumFile = top.checksum;
  const algorithm = checksumFile?.algorithm ?? 'none';
  const widthBytes = CHECKSUM_WIDTH[algorithm];
  const checksumOffset = checksumFile?.offset ?? -widthBytes;
  const checksum: LayoutChecksum = {
    algorithm, widthBytes, offset: checksumOffset, from: checksumFile?.from ?? 0, to: checksumFile?.to ?? checksumOffset,
    littleEndian: (checksumFile?.endianness ?? top.endianness ?? 'little') === 'little',
  };
  if (algorithm === 'none' && (checksumFile?.offset !== undefined || checksumFile?.from !== undefined || checksumFile?.to !== undefined)) {
    add(['checksum'], 'offset, from and to mean nothing with algorithm none');
  }

  // ---- messages
  const messages: LayoutMessage[] = [];
  const messageList = parseInto(z.array(z.unknown()).min(1), raw['messages'], ['messages'], problems) ?? [];
  const codes = new Map<number, number>();
  messageList.forEach((entry, i) => {
    const path: ScenarioPath = ['messages', i];
    const m = parseInto(messageSchema, entry, path, problems);
    if (m === undefined) return;
    const code = typeof m.type === 'string' ? m.type.charCodeAt(0) : m.type;
    const minBytes = typeof m.size === 'number' ? m.size : m.size.min;
    const maxBytes = typeof m.size === 'number' ? m.size : m.size.max;
    if (maxBytes < minBytes) add([...path, 'size'], `max (${maxBytes}) must be ≥ min (${minBytes})`);
    if (framing?.kind === 'moldudp64' && (m.sequence !== undefined || m.sequenceField !== undefined)) {
      add([...path, m.sequence !== undefined ? 'sequence' : 'sequenceField'], 'with moldudp64 framing the sequence is Mold\'s: remove it');
    }
    if (framing?.kind === 'moldudp64' && maxBytes > 0xffff) add([...path, 'size'], `${maxBytes} bytes does not fit a MoldUDP64 message block (at most 65535)`);
    if (framing?.kind === 'fixed' && typeof m.size !== 'number') add([...path, 'size'], 'a variable size needs length-prefixed framing: with fixed framing the type gives the size');
    if (typeField !== undefined && code > fieldTypeRange(typeField.type).max) add([...path, 'type'], `${code} does not fit the ${typeField.type} type field`);
    const seen = codes.get(code);
    if (seen !== undefined) add([...path, 'type'], `type ${code} is already messages[${seen}]`);
    codes.set(code, i);
    if (minBytes < headerBytes) add([...path, 'size'], `${minBytes} bytes is shorter than the ${headerBytes}-byte header`);
    const fields: LayoutField[] = [];
    (m.fields ?? []).forEach((f, j) => {
      const at = [...path, 'fields', j];
      if (!checkField(f, at, add)) return;
      const resolved = field(f, defaultLittle);
      if (resolved.offset + resolved.sizeBytes > minBytes) add([...at, 'offset'], `${f.name} (bytes ${resolved.offset}..${resolved.offset + resolved.sizeBytes - 1}) ends beyond the ${minBytes}-byte frame`);
      if (headerFields.some((h) => h.name === f.name)) add([...at, 'name'], `"${f.name}" is a header field already`);
      fields.push(resolved);
    });
    duplicates(fields, [...path, 'fields'], add);
    const ownField = (name: string | undefined, key: string): LayoutField | null | undefined => {
      if (name === undefined) return undefined;
      const f = fields.find((x) => x.name === name);
      if (f === undefined) add([...path, key], `"${name}" is not a field of ${m.name}; its fields: ${fields.map((x) => x.name).join(', ') || 'none'}`);
      else if (!f.type.startsWith('u')) add([...path, key], `"${name}" must be unsigned, it is ${f.type}`);
      return f ?? null;
    };
    const ownSequence = ownField(m.sequenceField, 'sequenceField');
    const seqField = ownSequence === undefined ? sequenceField ?? null : ownSequence;
    const role: SequenceRole = m.sequence ?? (seqField === null ? 'none' : 'next');
    if (role !== 'none' && seqField === null && ownSequence !== null && !failed('sequence') && !failed('header') && framing?.kind !== 'moldudp64') {
      add([...path, 'sequence'], `sequence ${role} needs a sequence field: set sequence.field at the top or sequenceField here`);
    }
    const ownTimestamp = ownField(m.timestampField, 'timestampField');
    if (ownTimestamp !== undefined && timestamp === null && !failed('timestamp')) add([...path, 'timestampField'], 'needs timestamp (unit, clock) at the top');
    if (framing?.kind === 'length-prefixed' && framing.lengthField.offset + framing.lengthField.sizeBytes > minBytes) {
      add([...path, 'size'], `${minBytes} bytes cannot hold the length field`);
    }
    checkChecksumPlacement(checksum, minBytes, maxBytes, m.name, path, add);
    const messageTimestamp = m.latency === false && m.clockSync !== true ? null
      : ownTimestamp === undefined ? timestampField ?? null : ownTimestamp;
    if (m.clockSync === true && !failed('timestamp') && !failed('subscribe')) {
      if (timestamp?.clock !== 'monotonic' || messageTimestamp === null) add([...path, 'clockSync'], 'needs a timestamp on a monotonic clock');
      else if (raw['subscribe'] === undefined) add([...path, 'clockSync'], 'needs a subscribe message for it to answer');
    }
    messages.push({
      code, name: m.name, minBytes, maxBytes, fields, heartbeat: m.heartbeat ?? false, clockSync: m.clockSync ?? false, sequenceRole: role,
      sequenceField: role === 'none' ? null : seqField, timestampField: messageTimestamp, recordLatency: m.latency !== false && !(m.heartbeat ?? false),
    });
  });
  if (framing?.kind === 'length-prefixed') {
    const lengthMax = fieldTypeRange(framing.lengthField.type).max + (framing.lengthCounts === 'rest' ? framing.lengthField.offset + framing.lengthField.sizeBytes : 0);
    for (const [i, m] of messages.entries()) {
      if (m.maxBytes > lengthMax) add(['messages', i, 'size'], `${m.maxBytes} bytes does not fit the ${framing.lengthField.type} length field (at most ${lengthMax})`);
    }
  }
  const largest = messages.reduce((max, m) => Math.max(max, m.maxBytes), 0);
  const maxFrameBytes = framingFile?.kind === 'length-prefixed' ? framingFile.maxFrameBytes ?? largest : largest;
  if (maxFrameBytes < largest) add(['framing', 'maxFrameBytes'], `${maxFrameBytes} is below the largest message type (${largest} bytes)`);

  // ---- heartbeat, subscribe, keepalive
  const heartbeat = top.heartbeat === undefined ? null
    : { intervalMs: top.heartbeat.intervalMs, missingAfterIntervals: top.heartbeat.missingAfterIntervals ?? 3 };
  const subscribeFile = raw['subscribe'] === undefined ? undefined : parseInto(outboundSchema, raw['subscribe'], ['subscribe'], problems);
  const subscribe = subscribeFile === undefined ? null : outbound(subscribeFile, ['subscribe'], checksum, defaultLittle, add);
  const keepaliveFile = raw['keepalive'] === undefined ? undefined : parseInto(keepaliveSchema, raw['keepalive'], ['keepalive'], problems);
  const keepaliveMessage = keepaliveFile === undefined ? null : outbound(keepaliveFile.message, ['keepalive', 'message'], checksum, defaultLittle, add);

  if (problems.length > 0 || top.name === undefined || framing === undefined || typeField === undefined || subscribe === undefined ||
    keepaliveMessage === undefined) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    value: {
      name: top.name, description: top.description ?? '', framing, maxFrameBytes,
      minFrameBytes: messages.reduce((min, m) => Math.min(min, m.minBytes), Infinity), headerBytes, headerFields, typeField, messages,
      firstSequence: top.sequence?.first ?? null, timestamp, checksum, heartbeat, subscribe,
      keepalive: keepaliveFile === undefined || keepaliveMessage === null ? null : { everyMs: keepaliveFile.everyMs, message: keepaliveMessage },
    },
  };
}


function field(f: FieldFile, defaultLittle: boolean): LayoutField {
  return { name: f.name, offset: f.offset, type: f.type, sizeBytes: FIELD_TYPE_BYTES[f.type],
    littleEndian: f.endianness === undefined ? defaultLittle : f.endianness === 'little' };
}

/** False when the field's `size` contradicts its type. */
function checkField(f: FieldFile, path: ScenarioPath, add: (path: ScenarioPath, message: string) => void): boolean {
  if (f.size !== undefined && f.size !== FIELD_TYPE_BYTES[f.type]) {
    add([...path, 'size'], `a ${f.type} is ${FIELD_TYPE_BYTES[f.type]} bytes, not ${f.size}`);
    return false;
  }
  return true;
}

function duplicates(fields: readonly LayoutField[], path: ScenarioPath, add: (path: ScenarioPath, message: string) => void): void {
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f.name)) add(path, `field "${f.name}" is named twice`);
    seen.add(f.name);
  }
}

/** The checksum field and its coverage must lie inside every frame size of the type and must not overlap. */
function checkChecksumPlacement(c: LayoutChecksum, minBytes: number, maxBytes: number, name: string, path: ScenarioPath,
  add: (path: ScenarioPath, message: string) => void): void {
  if (c.algorithm === 'none') return;
  for (const size of minBytes === maxBytes ? [minBytes] : [minBytes, maxBytes]) {
    const at = framePosition(c.offset, size);
    const from = framePosition(c.from, size);
    const to = framePosition(c.to, size);
    if (at < 0 || at + c.widthBytes > size) {
      add([...path, 'size'], `the checksum (offset ${c.offset}, ${c.widthBytes} bytes) does not fit a ${size}-byte ${name}`);
    } else if (from < 0 || to > size || from >= to) {
      add([...path, 'size'], `the checksum coverage ${c.from}..${c.to} is empty or outside a ${size}-byte ${name} (bytes ${from}..${to})`);
    } else if (at < to && at + c.widthBytes > from) {
      add([...path, 'size'], `the checksum (bytes ${at}..${at + c.widthBytes - 1}) lies inside its own coverage (bytes ${from}..${to - 1}) in a ${size}-byte ${name}`);
    }
  }
}

/** Builds an outbound message; undefined (and problems added) when it is wrong. */
function outbound(file: OutboundFile, path: ScenarioPath, checksum: LayoutChecksum, defaultLittle: boolean,
  add: (path: ScenarioPath, message: string) => void): OutboundMessage | undefined {
  let problemsHere = 0;
  const report = (p: ScenarioPath, message: string): void => {
    problemsHere++;
    add(p, message);
  };
  if ((file.hex === undefined) === (file.fields === undefined && file.size === undefined)) {
    report(path, 'give either hex, or size and fields');
    return undefined;
  }
  if (file.hex !== undefined) {
    const bytes = Uint8Array.from(Buffer.from(file.hex.replace(/\s+/g, ''), 'hex'));
    if (file.checksum === true) report([...path, 'checksum'], 'a hex message is sent as written: put its checksum in the hex');
    return problemsHere > 0 ? undefined : { template: bytes, sentCounterFields: [], checksum: false };
  }
  if (file.size === undefined) {
    report([...path, 'size'], 'required with fields');
    return undefined;
  }
  const template = new Uint8Array(file.size);
  const counters: LayoutField[] = [];
  (file.fields ?? []).forEach((f, i) => {
    const at: ScenarioPath = [...path, 'fields', i];
    const resolved: LayoutField = { name: f.name ?? `fields[${i}]`, offset: f.offset, type: f.type, sizeBytes: FIELD_TYPE_BYTES[f.type],
      littleEndian: f.endianness === undefined ? defaultLittle : f.endianness === 'little' };
    if (f.offset + resolved.sizeBytes > template.length) {
      report([...at, 'offset'], `bytes ${f.offset}..${f.offset + resolved.sizeBytes - 1} end beyond the ${template.length}-byte message`);
      return;
    }
    if (f.value === 'sent') {
      counters.push(resolved);
      return;
    }
    const range = fieldTypeRange(f.type);
    if (f.value < range.min || f.value > range.max) report([...at, 'value'], `${f.value} does not fit a ${f.type} (${range.min}..${range.max})`);
    else writeField(template, resolved, f.value);
  });
  const withChecksum = file.checksum ?? checksum.algorithm !== 'none';
  if (withChecksum) {
    if (checksum.algorithm === 'none') report([...path, 'checksum'], 'the layout has no checksum (checksum.algorithm is none)');
    else checkChecksumPlacement(checksum, template.length, template.length, 'message', path, report);
  }
  if (problemsHere > 0) return undefined;
  const message: OutboundMessage = { template, sentCounterFields: counters, checksum: withChecksum };
  return message;
}
