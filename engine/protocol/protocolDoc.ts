/**
 * The parts of docs/PROTOCOL.md that are rendered from code, so that the document cannot drift
 * from the codec: the header and per-message byte tables (from `messageLayouts.ts`), the code
 * tables (from `codes.ts`) and the golden hex dumps (from `goldenMessages.ts`).
 *
 * In the markdown each rendered part sits between `<!-- generated:ID -->` and
 * `<!-- /generated:ID -->`. A test requires `refreshProtocolDoc(doc) === doc`; after changing a
 * layout, code or example, `npx vitest run engine/protocol -u` rewrites those parts (the prose
 * around them is left as it is).
 */

import {
  CancelReason,
  Liquidity,
  LogoutReason,
  OrderType,
  RejectReason,
  SessionErrorReason,
  Side,
  TimeInForce,
  codeName,
} from './codes.js';
import { encode } from './encode.js';
import { goldenMessages, type GoldenMessage } from './goldenMessages.js';
import {
  CHECKSUM_LENGTH,
  HEADER_LENGTH,
  headerFields,
  messageLayout,
  messageLayouts,
  wireTypeLength,
  type CodeTable,
  type FieldLayout,
  type MessageLayout,
  type Sender,
} from './messageLayouts.js';
import type { SnapshotLevel } from './messages.js';

/** The code tables of `codes.ts` that the document lists, by name. */
export const documentedCodeTables = {
  Side,
  OrderType,
  TimeInForce,
  Liquidity,
  RejectReason,
  CancelReason,
  SessionErrorReason,
  LogoutReason,
} as const;
type CodeTableName = keyof typeof documentedCodeTables;

/** What each code means. Keyed by the names in `codes.ts`, so a code added there fails to compile until it is described here. */
const codeMeanings: { readonly [T in CodeTableName]: Readonly<Record<keyof (typeof documentedCodeTables)[T], string>> } = {
  Side: { Buy: 'Buy.', Sell: 'Sell.' },
  OrderType: {
    Limit: 'Trades at `price` or better; what is left is handled by the time in force.',
    Market: 'Trades at any price against the book; `price` must be 0.',
  },
  TimeInForce: {
    GTC: 'Good till cancel: the remainder rests on the book.',
    IOC: 'Immediate or cancel: the remainder is canceled (CANCELED IocRemainder).',
    FOK: 'Fill or kill: fills completely at once, or has no effect at all (CANCELED FokNotFillable).',
  },
  Liquidity: {
    Maker: 'The order was resting on the book.',
    Taker: 'The order was the incoming one.',
  },
  RejectReason: {
    UnknownSymbol: '`symbolId` is not traded by this engine.',
    InvalidSide: '`side` is not a Side code.',
    InvalidOrderType: '`orderType` is not an OrderType code.',
    InvalidTimeInForce: '`timeInForce` is not a TimeInForce code.',
    InvalidPrice: 'A limit price that is not positive, or a market order whose price is not 0.',
    PriceOffTick: '`price` is not a multiple of the symbol\'s tick size.',
    PriceOutsideBand: '`price` is outside the symbol\'s price band.',
    InvalidQuantity: '`quantity` is 0.',
    QuantityAboveMax: '`quantity` is above the symbol\'s largest order quantity.',
    NotionalOverflow: '`price` × `quantity` is above 2^53-1 (`Number.MAX_SAFE_INTEGER`).',
    DuplicateClientOrderId: 'A live order of this session already uses `clientOrderId`.',
    UnknownOrder: 'CANCEL or REPLACE of an order that is unknown to this session, or already filled or canceled.',
    EngineBusy: 'The engine\'s inbound queue is full. The request had no effect; it may be sent again (with a new sequence).',
  },
  CancelReason: {
    User: 'The owner sent CANCEL.',
    IocRemainder: 'The unfilled remainder of an IOC order.',
    FokNotFillable: 'A FOK order that could not be filled completely; it had no effect.',
    NoLiquidity: 'The unfilled remainder of a market order.',
  },
  SessionErrorReason: {
    UnsupportedVersion: '`version` is not 1.',
    LengthMismatch: '`frameLength` is below 28, or not the exact length of the message type.',
    FrameTooLarge: '`frameLength` is above the maximum frame length (4096 unless configured).',
    UnknownMessageType: '`messageType` is not in the message type table.',
    ChecksumMismatch: 'The CRC-32C trailer does not match the frame\'s bytes.',
    SequenceGap: '`sequence` is not exactly one more than the previous frame\'s (a gap or a repeat).',
    ValueOutOfRange: 'A 64-bit field outside the safe-integer range, or a reserved field that is not 0.',
    NotLoggedIn: 'A frame other than LOGIN before LOGIN.',
    LoginTimeout: 'No LOGIN within 2 s of connecting.',
    DuplicateLogin: 'A second LOGIN on a logged-in session.',
    HeartbeatTimeout: 'Nothing received for 3 heartbeat intervals.',
    RateLimitExceeded: 'The client sent more requests per second than the engine allows it.',
    SlowConsumer: 'The peer did not read what it was sent; the engine\'s send buffer for it is full.',
    TooManyConnections: 'The engine accepts no more connections on this port.',
    UnexpectedMessage: 'A message type that this side never sends on this channel (e.g. ACK from a client, NEW_ORDER on market data).',
    InvalidLogin: 'A LOGIN the engine does not accept: a heartbeat interval outside 100..60000 ms, or a clientId already logged in on another connection.',
  },
  LogoutReason: {
    UserRequested: 'The client asked to end the session; the engine answers with LOGOUT UserRequested and closes.',
    Shutdown: 'The engine is shutting down; it closes after sending this.',
  },
};

/** Meaning of each field, by `MESSAGE.field` for a meaning that applies to one message only, else by field name. */
const fieldMeanings: Readonly<Record<string, string>> = {
  frameLength: 'Whole frame in bytes, header and checksum included.',
  version: 'Protocol version, 1.',
  symbolId: 'Instrument; 0 on LOGIN, LOGIN_ACK, HEARTBEAT, LOGOUT, SESSION_ERROR, FEED_HEARTBEAT.',
  sequence: 'See "Sequence rules".',
  timestampNs: 'Sender\'s monotonic clock in ns, epoch of the sender\'s choice; below 2^53 (≈ 104 days).',
  reserved: 'Must be 0.',
  'LOGIN.clientId': 'Chosen by the client.',
  'LOGIN.heartbeatIntervalMs': 'Requested heartbeat interval, 100..60000.',
  'LOGIN_ACK.sessionId': 'Assigned by the engine.',
  'LOGIN_ACK.heartbeatIntervalMs': 'The interval both sides use from now on.',
  refSequence: '`sequence` of the offending frame; 0 if none or unknown.',
  'NEW_ORDER.clientOrderId': 'Chosen by the client; unique among the session\'s live orders.',
  clientOrderId: 'Client order id of the order concerned.',
  'NEW_ORDER.price': 'Limit price in the symbol\'s price units; 0 for a market order.',
  'REPLACE.price': 'New limit price.',
  'REPLACE.quantity': 'New open (leaves) quantity.',
  'NEW_ORDER.quantity': 'Order quantity, > 0.',
  orderId: 'Assigned by the engine in ACK.',
  echoTimestampNs: '`timestampNs` of the request this report answers; 0 on a maker FILL.',
  refMessageType: '`messageType` of the refused request.',
  tradeId: 'Assigned by the engine; the two FILLs and the TRADE of one match share it.',
  'FILL.price': 'Execution price.',
  'FILL.quantity': 'Quantity of this fill.',
  leavesQuantity: 'Open quantity after this event; 0 when the order is done.',
  canceledQuantity: 'Open quantity removed.',
  'REPLACED.price': 'Limit price now in force.',
  'TRADE.price': 'Execution price.',
  'TRADE.quantity': 'Traded quantity.',
  aggressorSide: 'Side of the incoming (taker) order.',
  liquidity: '1 maker, 2 taker.',
  'LEVEL_UPDATE.price': 'Price of the level.',
  'LEVEL_UPDATE.quantity': 'Level total after the change; 0 removes the level.',
  orderCount: 'Orders resting at the level.',
  bidPrice: 'Best bid price; 0 if there is no bid.',
  bidQuantity: 'Total quantity at the best bid; 0 if there is no bid.',
  askPrice: 'Best ask price; 0 if there is no ask.',
  askQuantity: 'Total quantity at the best ask; 0 if there is no ask.',
  levels: 'Levels wanted per side; 0 asks for as many as fit.',
  bidCount: 'Bid entries that follow (best first).',
  askCount: 'Ask entries that follow the bids (best first).',
  'BOOK_SNAPSHOT.price': 'Price of the level.',
  'BOOK_SNAPSHOT.quantity': 'Total quantity at the level.',
};

function meaningOf(layout: MessageLayout | undefined, field: FieldLayout): string {
  const meaning = (layout && fieldMeanings[`${layout.name}.${field.name}`]) ?? fieldMeanings[field.name];
  const codes =
    field.codes === undefined
      ? undefined
      : field.codes === 'MessageType'
        ? 'A type code from the [message type table](#channels).'
        : `A [${field.codes}](#${field.codes.toLowerCase()}) code.`;
  if (meaning === undefined && codes === undefined) {
    throw new Error(`protocolDoc: no meaning written for ${layout?.name ?? 'header'}.${field.name}`);
  }
  return [meaning, codes].filter((part) => part !== undefined).join(' ');
}

function row(cells: readonly (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

function fieldRows(layout: MessageLayout | undefined, fields: readonly FieldLayout[]): string[] {
  return fields.map((f) => row([f.offset, wireTypeLength[f.wireType], f.reserved ? 'reserved' : `\`${f.name}\``, f.wireType, meaningOf(layout, f)]));
}

const tableHead = ['| offset | bytes | field | type | meaning |', '|---:|---:|---|---|---|'];

function hex2(v: number): string {
  return `0x${v.toString(16).padStart(2, '0')}`;
}

/** The header table: offsets, sizes, types and meanings of the 24 header bytes. */
export function renderHeaderTable(): string {
  return [...tableHead, ...fieldRows(undefined, headerFields)].join('\n');
}

/** The byte table of one message type, header and checksum rows included. */
export function renderLayoutTable(layout: MessageLayout): string {
  const lines = [...tableHead];
  lines.push(row([0, HEADER_LENGTH, 'header', '', `\`messageType\` = ${hex2(layout.type)}`]));
  lines.push(...fieldRows(layout, layout.fields));
  const entries = layout.entries;
  if (entries === undefined) {
    const at = layout.frameLength - CHECKSUM_LENGTH;
    lines.push(row([at, CHECKSUM_LENGTH, 'checksum', 'u32', `CRC-32C of bytes 0..${at - 1}.`]));
    return `Frame length: exactly ${layout.frameLength} bytes.\n\n${lines.join('\n')}`;
  }
  const n = `(${entries.countFields.map((c) => `\`${c}\``).join(' + ')})`;
  const groups = entries.groupNames.join(', then ');
  lines.push(row([entries.offset, `${entries.entryLength}·n`, 'entries', '', `n = ${n} entries: ${groups}.`]));
  lines.push(row([`${entries.offset} + ${entries.entryLength}·n`, CHECKSUM_LENGTH, 'checksum', 'u32', 'CRC-32C of every byte before it.']));
  const entryLines = [...tableHead, ...fieldRows(layout, entries.fields)];
  return [
    `Frame length: exactly ${layout.frameLength} + ${entries.entryLength}·n bytes.`,
    '',
    lines.join('\n'),
    '',
    `Entry i (${entries.entryLength} bytes) starts at frame offset ${entries.offset} + ${entries.entryLength}·i; offsets below are within the entry.`,
    '',
    entryLines.join('\n'),
  ].join('\n');
}

const senderWords: Readonly<Record<Sender, string>> = {
  orderEntryClient: 'client',
  orderEntryEngine: 'engine',
  marketDataSubscriber: 'subscriber',
  marketDataEngine: 'engine',
};

function direction(layout: MessageLayout, client: Sender, engine: Sender): string {
  const fromClient = layout.senders.includes(client);
  const fromEngine = layout.senders.includes(engine);
  if (fromClient && fromEngine) return 'both ways';
  if (fromClient) return `${senderWords[client]} → engine`;
  if (fromEngine) return `engine → ${senderWords[client]}`;
  return '—';
}

/** The table of all message types: code, name, length, and who sends it on which channel. */
export function renderMessageTypeTable(): string {
  const lines = ['| type | name | frame bytes | order entry | market data |', '|---|---|---:|---|---|'];
  for (const l of messageLayouts) {
    const length = l.entries === undefined ? String(l.frameLength) : `${l.frameLength} + ${l.entries.entryLength}·n`;
    lines.push(
      row([
        hex2(l.type),
        `[${l.name}](#${hex2(l.type)}-${l.name.toLowerCase()})`,
        length,
        direction(l, 'orderEntryClient', 'orderEntryEngine'),
        direction(l, 'marketDataSubscriber', 'marketDataEngine'),
      ]),
    );
  }
  return lines.join('\n');
}

/** The table of one group of codes from `codes.ts`: value, name, meaning. */
export function renderCodeTable(name: CodeTableName): string {
  const table: Readonly<Record<string, number>> = documentedCodeTables[name];
  const meanings: Readonly<Record<string, string>> = codeMeanings[name];
  const lines = ['| code | name | meaning |', '|---:|---|---|'];
  for (const [key, value] of Object.entries(table)) lines.push(row([value, key, meanings[key] ?? '']));
  return lines.join('\n');
}

function formatLevels(levels: readonly SnapshotLevel[]): string {
  return `[${levels.map((l) => `${l.quantity} @ ${l.price} (${l.orderCount} orders)`).join(', ')}]`;
}

/** Hex dump of a frame: 16 bytes a line, each line led by its 4-digit hex offset. */
export function renderHexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const hex = Array.from(bytes.subarray(at, at + 16), (b) => b.toString(16).padStart(2, '0')).join(' ');
    lines.push(`${at.toString(16).padStart(4, '0')}  ${hex}`);
  }
  return lines.join('\n');
}

/** One golden example: heading, caption, field values and the hex dump of its frame. */
export function renderGoldenMessage(golden: GoldenMessage): string {
  const layout = messageLayout(golden.message.type);
  const values = Object.entries(golden.message)
    .filter(([key]) => key !== 'type')
    .map(([key, value]) => {
      const codes = [...headerFields, ...(layout?.fields ?? [])].find((f) => f.name === key)?.codes;
      const shown = Array.isArray(value)
        ? formatLevels(value as SnapshotLevel[])
        : codes === undefined
          ? String(value)
          : `${String(value)} (${codeLabel(codes, value as number)})`;
      return `\`${key}\` = ${shown}`;
    })
    .join(', ');
  const frame = encode(golden.message);
  return [
    `### ${hex2(golden.message.type)} ${golden.label}`,
    '',
    `${golden.caption} ${frame.length} bytes.`,
    '',
    `${values}.`,
    '',
    '```text',
    renderHexDump(frame),
    '```',
  ].join('\n');
}

function codeLabel(codes: CodeTable, value: number): string {
  return codes === 'MessageType' ? (messageLayout(value)?.name ?? `unknown(${value})`) : codeName(documentedCodeTables[codes], value);
}

/** Every generated part of docs/PROTOCOL.md, by ID. */
export function renderGeneratedSections(): Map<string, string> {
  const sections = new Map<string, string>();
  sections.set('header', renderHeaderTable());
  sections.set('message-types', renderMessageTypeTable());
  for (const layout of messageLayouts) sections.set(`layout:${layout.name}`, renderLayoutTable(layout));
  for (const name of Object.keys(documentedCodeTables) as CodeTableName[]) sections.set(`codes:${name}`, renderCodeTable(name));
  sections.set('golden', goldenMessages.map(renderGoldenMessage).join('\n\n'));
  return sections;
}

const sectionPattern = /<!-- generated:([\w:-]+) -->\n[\s\S]*?<!-- \/generated:\1 -->/g;

/**
 * `markdown` with the text of every generated part replaced by a fresh rendering.
 *
 * @throws Error if a part is marked with an unknown ID, or a known part is missing (a refresh
 *   cannot know where to put it).
 */
export function refreshProtocolDoc(markdown: string): string {
  const sections = renderGeneratedSections();
  const seen = new Set<string>();
  const refreshed = markdown.replace(sectionPattern, (_whole, id: string) => {
    const text = sections.get(id);
    if (text === undefined) throw new Error(`PROTOCOL.md marks an unknown generated part "${id}"`);
    seen.add(id);
    return `<!-- generated:${id} -->\n${text}\n<!-- /generated:${id} -->`;
  });
  const missing = [...sections.keys()].filter((id) => !seen.has(id));
  if (missing.length > 0) throw new Error(`PROTOCOL.md lacks the generated parts: ${missing.join(', ')}`);
  return refreshed;
}
