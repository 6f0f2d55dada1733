/**
 * From a parsed message-set file (docs/SOUP.md) to a {@link SoupMessageSet}: each value checked by
 * its zod schema, then the rules that tie fields together (inside the message, no overlaps, the
 * roles each message role needs, codes for side and time in force). Every problem is returned with
 * its path, none thrown; parseYamlWith adds the line numbers.
 */
import * as z from 'zod';
import type { LayoutField } from '../../feeds/FeedLayout.js';
import { fieldTypeRange } from '../../feeds/layoutBytes.js';
import { describeValue } from '../../scenario/describeValue.js';
import type { ScenarioPath, ScenarioProblem } from '../../scenario/scenarioProblem.js';
import { closed, parseInto, unknownKeysMessage } from '../../scenario/scenarioSchema.js';
import {
  FROM_ENGINE_ROLES, MESSAGE_ROLE_FIELDS, SOUP_FIELD_ROLES, SOUP_FIELD_TYPES, SOUP_MESSAGE_ROLES, TO_ENGINE_ROLES, type SoupField,
  type SoupFieldRole, type SoupMessage, type SoupMessageSet,
} from './SoupMessageSet.js';

/** The message-set format version this build reads. */
export const SOUP_MESSAGE_SET_VERSION = 1;

/** Upper bounds: a message fits one SoupBinTCP packet; an alpha field is at most a line of text. */
export const SOUP_MESSAGE_SET_LIMITS = { messageBytes: 0xffff - 1, alphaBytes: 255, fields: 200, messages: 256 } as const;

const wireValue = z.union([z.number().int(), z.string().min(1).max(SOUP_MESSAGE_SET_LIMITS.alphaBytes)], {
  error: (issue) => (issue.code === 'invalid_union' ? 'must be an integer or a string' : undefined),
});

const fieldSchema = closed({
  name: z.string().min(1).max(100),
  offset: z.number().int().min(1).max(SOUP_MESSAGE_SET_LIMITS.messageBytes),
  size: z.number().int().min(1).max(SOUP_MESSAGE_SET_LIMITS.alphaBytes),
  type: z.enum(SOUP_FIELD_TYPES),
  endianness: z.enum(['big', 'little']).optional(),
  pad: z.enum(['right', 'left']).optional(),
  decimals: z.number().int().min(0).max(18).optional(),
  role: z.enum(SOUP_FIELD_ROLES).optional(),
  values: z.record(z.string(), wireValue).optional(),
  value: wireValue.optional(),
  marketValue: z.number().int().min(0).optional(),
});
type FieldFile = z.output<typeof fieldSchema>;

const messageSchema = closed({
  type: z.string().length(1, { message: 'must be one character (the type byte, e.g. O)' }),
  name: z.string().min(1).max(100),
  role: z.enum(SOUP_MESSAGE_ROLES),
  size: z.number().int().min(1).max(SOUP_MESSAGE_SET_LIMITS.messageBytes),
  fields: z.array(z.unknown()).max(SOUP_MESSAGE_SET_LIMITS.fields).optional(),
});

const TOP_KEYS = ['version', 'name', 'description', 'endianness', 'toEngine', 'fromEngine'] as const;

/** Codes a field of these roles must map (matchbench name → wire value). */
const REQUIRED_CODES: Partial<Record<SoupFieldRole, readonly string[]>> = { side: ['buy', 'sell'], timeInForce: ['gtc', 'ioc'] };
const KNOWN_CODES: Partial<Record<SoupFieldRole, readonly string[]>> = { side: ['buy', 'sell'], timeInForce: ['gtc', 'ioc', 'fok'] };
const ALPHA_ROLES: readonly SoupFieldRole[] = ['token', 'newToken', 'previousToken'];
const UINT_ROLES: readonly SoupFieldRole[] = ['quantity', 'minimumQuantity', 'matchNumber', 'orderRef'];

/** Result of {@link resolveSoupMessageSet}. */
export type ResolvedSoupMessageSet =
  | { readonly ok: true; readonly value: SoupMessageSet }
  | { readonly ok: false; readonly problems: readonly ScenarioProblem[] };

/** Validates `input` (a message-set file's YAML, parsed) and builds the set. */
export function resolveSoupMessageSet(input: unknown): ResolvedSoupMessageSet {
  const problems: ScenarioProblem[] = [];
  const add = (path: ScenarioPath, message: string): void => { problems.push({ path, message }); };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, problems: [{ path: [], message: `a message-set file is a map (version, name, toEngine, fromEngine), got ${describeValue(input)}` }] };
  }
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (!(TOP_KEYS as readonly string[]).includes(key)) add([], unknownKeysMessage([key], TOP_KEYS));
  if (raw['version'] !== SOUP_MESSAGE_SET_VERSION) {
    add(['version'], raw['version'] === undefined ? 'required' : `this build reads message-set version ${SOUP_MESSAGE_SET_VERSION} only, got ${describeValue(raw['version'])}`);
  }
  const name = parseInto(z.string().min(1).max(100), raw['name'], ['name'], problems);
  const description = parseInto(z.string().optional(), raw['description'], ['description'], problems) ?? '';
  const endianness = parseInto(z.enum(['big', 'little']).optional(), raw['endianness'], ['endianness'], problems) ?? 'big';
  const toEngine = messages('toEngine', raw['toEngine'], TO_ENGINE_ROLES, endianness === 'little', add, problems);
  const fromEngine = messages('fromEngine', raw['fromEngine'], FROM_ENGINE_ROLES, endianness === 'little', add, problems);
  const one = (list: readonly SoupMessage[], role: SoupMessage['role'], key: string, required: boolean): SoupMessage | null => {
    const found = list.filter((m) => m.role === role);
    // The driver sends one message per order role; the engine may answer with several of one role (OUCH's Rejected and Cancel Reject).
    if (found.length > 1 && key === 'toEngine') add([key], `role ${role} is given to ${found.map((m) => m.name).join(' and ')}; one message per role`);
    if (found.length === 0 && required) add([key], `no message has role ${role}; the driver needs one`);
    return found[0] ?? null;
  };
  const enterOrder = one(toEngine, 'enterOrder', 'toEngine', true);
  const cancelOrder = one(toEngine, 'cancelOrder', 'toEngine', true);
  const replaceOrder = one(toEngine, 'replaceOrder', 'toEngine', false);
  for (const role of ['accepted', 'executed', 'canceled', 'rejected'] as const) one(fromEngine, role, 'fromEngine', true);
  one(fromEngine, 'replaced', 'fromEngine', replaceOrder !== null);
  if (problems.length > 0 || name === undefined || enterOrder === null || cancelOrder === null) return { ok: false, problems };
  return { ok: true, value: { name, description, toEngine, fromEngine, enterOrder, cancelOrder, replaceOrder,
    maxFromEngineBytes: fromEngine.reduce((max, m) => Math.max(max, m.sizeBytes), 1) } };
}

function messages(key: string, input: unknown, roles: readonly SoupMessage['role'][], defaultLittle: boolean,
  add: (path: ScenarioPath, message: string) => void, problems: ScenarioProblem[]): SoupMessage[] {
  const list = parseInto(z.array(z.unknown()).min(1).max(SOUP_MESSAGE_SET_LIMITS.messages), input, [key], problems) ?? [];
  const out: SoupMessage[] = [];
  const codes = new Map<number, string>();
  list.forEach((entry, i) => {
    const path: ScenarioPath = [key, i];
    const m = parseInto(messageSchema, entry, path, problems);
    if (m === undefined) return;
    const code = m.type.charCodeAt(0);
    if (code > 0x7f) add([...path, 'type'], `"${m.type}" is not ASCII`);
    const seen = codes.get(code);
    if (seen !== undefined) add([...path, 'type'], `type "${m.type}" is already ${seen}'s`);
    codes.set(code, m.name);
    if (!roles.includes(m.role)) add([...path, 'role'], `${m.role} is not a role of ${key} messages; those are ${roles.join(', ')}`);
    const fields: SoupField[] = [];
    let fieldFailed = false;
    (m.fields ?? []).forEach((fieldEntry, j) => {
      const at = [...path, 'fields', j];
      const f = parseInto(fieldSchema, fieldEntry, at, problems);
      const resolved = f === undefined ? undefined : field(f, m.size, key === 'toEngine', defaultLittle, at, add);
      if (resolved !== undefined) fields.push(resolved);
      else fieldFailed = true;
    });
    const byRole: Partial<Record<SoupFieldRole, SoupField>> = {};
    const names = new Set<string>();
    for (const f of fields) {
      if (names.has(f.name)) add([...path, 'fields'], `field "${f.name}" is named twice`);
      names.add(f.name);
      const other = fields.find((g) => g !== f && g.offset < f.offset + f.sizeBytes && f.offset < g.offset + g.sizeBytes);
      if (other !== undefined && other.offset < f.offset) add([...path, 'fields'], `${f.name} (bytes ${f.offset}..${f.offset + f.sizeBytes - 1}) overlaps ${other.name} (bytes ${other.offset}..${other.offset + other.sizeBytes - 1})`);
      if (f.role === null) continue;
      if (byRole[f.role] !== undefined) add([...path, 'fields'], `role ${f.role} is given to ${byRole[f.role]?.name} and ${f.name}`);
      byRole[f.role] = f;
    }
    const wanted = MESSAGE_ROLE_FIELDS[m.role];
    // A field already reported may be the one with the role: say nothing more then.
    for (const r of wanted.required) {
      if (byRole[r] === undefined && roles.includes(m.role) && !fieldFailed) add([...path, 'fields'], `message role ${m.role} needs a field with role ${r}`);
    }
    for (const f of fields) {
      if (f.role !== null && !wanted.required.includes(f.role) && !wanted.optional.includes(f.role)) {
        add([...path, 'fields'], `${f.name}: role ${f.role} means nothing in a ${m.role} message (roles there: ${[...wanted.required, ...wanted.optional].join(', ') || 'none'})`);
      }
      if (f.marketValue !== null && !(m.role === 'enterOrder' && f.role === 'price')) add([...path, 'fields'], `${f.name}: marketValue belongs to the price of an enterOrder message`);
    }
    if (m.role === 'enterOrder') {
      const problem = fokProblem(byRole);
      if (problem !== undefined) add([...path, 'fields'], problem);
    }
    out.push({ code, name: m.name, role: m.role, sizeBytes: m.size, fields, byRole });
  });
  return out;
}

/**
 * Why an enterOrder cannot send FOK as its timeInForce codes say, or undefined. FOK may share IOC's
 * code only beside a minimumQuantity field (OUCH 4.2: IOC with a minimum quantity of the whole
 * order); sharing GTC's code, or IOC's without that field, would send a FOK the engine cannot tell
 * from another order.
 */
function fokProblem(byRole: Partial<Record<SoupFieldRole, SoupField>>): string | undefined {
  const tif = byRole.timeInForce;
  const fok = tif?.codes.get('fok');
  if (tif === undefined || fok === undefined) return undefined;
  const shared = [...tif.codes].filter(([name, code]) => name !== 'fok' && code === fok).map(([name]) => name);
  if (shared.length === 0) return undefined;
  const shown = typeof fok === 'string' ? `"${fok}"` : String(fok);
  if (shared.includes('gtc')) return `${tif.name}: fok has gtc's code ${shown}; FOK is an immediate order: give fok ioc's code beside a minimumQuantity field, or a code of its own`;
  if (byRole.minimumQuantity === undefined) {
    return `${tif.name}: fok has ioc's code ${shown}, so the engine could not tell FOK from IOC: add a field with role minimumQuantity ` +
      '(sent as the whole quantity for FOK, 0 otherwise, as OUCH 4.2 writes fill-or-kill), or give fok a code of its own';
  }
  return undefined;
}

/** Resolves one field, or undefined (with problems added) when it cannot be used. */
function field(f: FieldFile, messageBytes: number, toEngine: boolean, defaultLittle: boolean, path: ScenarioPath,
  add: (path: ScenarioPath, message: string) => void): SoupField | undefined {
  let ok = true;
  const bad = (key: string, message: string): void => { ok = false; add([...path, key], message); };
  if (f.offset + f.size > messageBytes) bad('offset', `${f.name} (bytes ${f.offset}..${f.offset + f.size - 1}) ends beyond the ${messageBytes}-byte message`);
  let binary: LayoutField | null = null;
  if (f.type !== 'alpha') {
    if (f.size !== 1 && f.size !== 2 && f.size !== 4 && f.size !== 8) bad('size', `a ${f.type} is 1, 2, 4 or 8 bytes, not ${f.size}`);
    else binary = { name: f.name, offset: f.offset, type: `u${f.size * 8}` as LayoutField['type'], sizeBytes: f.size,
      littleEndian: f.endianness === undefined ? defaultLittle : f.endianness === 'little' };
    if (f.pad !== undefined) bad('pad', `pad is for alpha fields; ${f.name} is ${f.type}`);
  } else if (f.endianness !== undefined) bad('endianness', `endianness is for binary fields; ${f.name} is alpha`);
  if (f.decimals !== undefined && f.type !== 'price') bad('decimals', `decimals is for price fields; ${f.name} is ${f.type}`);
  const role = f.role ?? null;
  if (role !== null) {
    if (ALPHA_ROLES.includes(role) && f.type !== 'alpha') bad('type', `a ${role} is alpha (the order token), not ${f.type}`);
    if (UINT_ROLES.includes(role) && f.type !== 'uint') bad('type', `a ${role} is uint, not ${f.type}`);
    if (role === 'price' && f.type === 'alpha') bad('type', 'a price is price or uint, not alpha');
    if (f.value !== undefined) bad('value', `${f.name} has role ${role}: its value comes from the order, not the file`);
  }
  const codes = new Map<string, string | number>();
  if (f.values !== undefined) {
    if (role !== 'side' && role !== 'timeInForce' && role !== 'reason') bad('values', `values map names to codes for roles side, timeInForce and reason only`);
    const known = role === null ? undefined : KNOWN_CODES[role];
    for (const [name, v] of Object.entries(f.values)) {
      if (known !== undefined && !known.includes(name)) bad('values', unknownKeysMessage([name], known, ` in ${f.name}'s values`));
      const problem = valueProblem(f, v);
      if (problem !== undefined) bad('values', `${name}: ${problem}`);
      codes.set(name, v);
    }
  }
  const required = role === null ? undefined : REQUIRED_CODES[role];
  if (required !== undefined && toEngine) {
    const missing = required.filter((name) => !codes.has(name));
    if (missing.length > 0) bad('values', `a ${role} field sent to the engine needs values for ${missing.join(', ')}`);
  }
  if (role === 'side' && !toEngine && f.values !== undefined) {
    const missing = (REQUIRED_CODES.side ?? []).filter((name) => !codes.has(name));
    if (missing.length > 0) bad('values', `values needs ${missing.join(', ')}`);
  }
  if (f.value !== undefined) {
    if (!toEngine) bad('value', 'a constant value is for messages sent to the engine');
    const problem = valueProblem(f, f.value);
    if (problem !== undefined) bad('value', problem);
  }
  if (f.marketValue !== undefined && f.type !== 'alpha' && f.marketValue > fieldTypeRange(`u${f.size * 8}` as LayoutField['type']).max) {
    bad('marketValue', `${f.marketValue} does not fit ${f.size} bytes`);
  }
  if (!ok) return undefined;
  return { name: f.name, offset: f.offset, sizeBytes: f.size, type: f.type, binary, padLeft: f.pad === 'left', decimals: f.decimals ?? 0,
    role, codes, constant: f.value ?? null, marketValue: f.marketValue ?? null };
}

/** Why `v` cannot be written into field `f`, or undefined. */
function valueProblem(f: FieldFile, v: string | number): string | undefined {
  if (f.type === 'alpha') {
    if (typeof v !== 'string') return `${f.name} is alpha: give a string, not ${v}`;
    if (v.length > f.size) return `"${v}" is longer than ${f.name}'s ${f.size} bytes`;
    if (!/^[\x20-\x7e]*$/.test(v)) return `"${v}" is not printable ASCII`;
    return undefined;
  }
  if (typeof v !== 'number') return `${f.name} is ${f.type}: give an integer, not "${v}"`;
  if (f.size !== 1 && f.size !== 2 && f.size !== 4 && f.size !== 8) return undefined; // reported on size
  const range = fieldTypeRange(`u${f.size * 8}` as LayoutField['type']);
  if (v < range.min || v > range.max) return `${v} does not fit ${f.name}'s ${f.size} unsigned bytes`;
  return undefined;
}

