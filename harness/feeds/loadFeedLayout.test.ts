import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encode } from '../../engine/protocol/encode.js';
import { MessageType } from '../../engine/protocol/messages.js';
import { loadFeedLayout, parseFeedLayout } from './loadFeedLayout.js';
import { encodeOutbound } from './encodeLayoutFrame.js';
import { fieldSchema, framingSchema, keepaliveSchema, messageSchema, outboundSchema, topLevelSchema } from './feedLayoutSchema.js';

const examples = fileURLToPath(new URL('../../feeds/examples/', import.meta.url));

function problemsOf(text: string): readonly string[] {
  const loaded = parseFeedLayout(text);
  if (loaded.ok) throw new Error('expected problems, the layout is valid');
  return loaded.problems;
}

describe('loadFeedLayout', () => {
  it('loads both example layouts', async () => {
    const matchbench = await loadFeedLayout(`${examples}matchbench.yaml`);
    const itch = await loadFeedLayout(`${examples}itch-like.yaml`);
    if (!matchbench.ok || !itch.ok) throw new Error(JSON.stringify([matchbench, itch]));
    expect(matchbench.layout.messages.map((m) => m.name)).toEqual(
      ['LOGIN_ACK', 'LOGOUT', 'SESSION_ERROR', 'TRADE', 'LEVEL_UPDATE', 'QUOTE', 'FEED_HEARTBEAT', 'BOOK_SNAPSHOT']);
    expect(itch.layout).toMatchObject({ framing: { kind: 'fixed' }, maxFrameBytes: 36, minFrameBytes: 16,
      checksum: { algorithm: 'xor8', widthBytes: 1 }, firstSequence: 1 });
    expect(itch.layout.messages.find((m) => m.name === 'AddOrder')?.code).toBe('A'.charCodeAt(0));
  });

  it('builds the matchbench example\'s LOGIN and HEARTBEAT byte for byte as the engine\'s codec does', async () => {
    const loaded = await loadFeedLayout(`${examples}matchbench.yaml`);
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const { subscribe, keepalive, checksum } = loaded.layout;
    expect(Buffer.from(encodeOutbound(subscribe!, 1, checksum))).toEqual(encode({ type: MessageType.Login, symbolId: 0, sequence: 1,
      timestampNs: 0, clientId: 2_000_001, heartbeatIntervalMs: 1_000 }));
    expect(Buffer.from(encodeOutbound(keepalive!.message, 5, checksum))).toEqual(
      encode({ type: MessageType.Heartbeat, symbolId: 0, sequence: 5, timestampNs: 0 }));
  });

  it('reports every problem of a file at once, each with its path and line', () => {
    const problems = problemsOf(`version: 1
name: broken
framing: { kind: length-prefixed, lengthField: len }
header:
  - { name: length, offset: 0, type: u16 }
  - { name: kind, offset: 2, type: u24 }
  - { name: seq, offset: 3, type: u32, size: 8 }
typeField: type
checksum: { algorithm: crc32c }
heartbeat: { intervalMs: 0 }
colour: blue
messages:
  - { type: 1, name: A, size: 12, fields: [{ name: price, offset: 8, type: u64 }] }
  - { type: 1, name: B, size: 3 }
subscribe: { hex: "zz" }
`);
    expect(problems).toEqual([
      'framing.lengthField: lengthField "len" is not a header field; header fields: length (line 3)',
      'header[1].type: must be one of u8, u16, u32, u64, i8, i16, i32, i64, got the string "u24" (line 6)',
      'header[2].size: a u32 is 4 bytes, not 8 (line 7)',
      'typeField: typeField "type" is not a header field; header fields: length (line 8)',
      'heartbeat.intervalMs: must be >= 1, got number 0 (line 10)',
      'unknown key "colour"; valid keys: version, name, description, endianness, framing, header, typeField, sequence, timestamp, checksum, heartbeat, subscribe, keepalive, messages (line 11)',
      'messages[0].fields[0].offset: price (bytes 8..15) ends beyond the 12-byte frame (line 13)',
      'messages[1].type: type 1 is already messages[0] (line 14)',
      'messages[1].size: the checksum (offset -4, 4 bytes) does not fit a 3-byte B (line 14)',
      'subscribe.hex: must be pairs of hex digits (spaces allowed) (line 15)',
    ]);
  });

  it('refuses a checksum inside its own coverage, a variable size with fixed framing, and an unknown version', () => {
    expect(problemsOf(`version: 1
name: x
framing: { kind: fixed }
header: [{ name: t, offset: 0, type: u8 }, { name: s, offset: 1, type: u32 }]
typeField: t
checksum: { algorithm: xor8, offset: 0, from: 0, to: -1 }
messages:
  - { type: 1, name: A, size: { min: 8, max: 12 }, sequence: next }
`)).toEqual([
      'messages[0].size: a variable size needs length-prefixed framing: with fixed framing the type gives the size (line 8)',
      'messages[0].size: the checksum (bytes 0..0) lies inside its own coverage (bytes 0..6) in a 8-byte A (line 8)',
      'messages[0].size: the checksum (bytes 0..0) lies inside its own coverage (bytes 0..10) in a 12-byte A (line 8)',
      'messages[0].sequence: sequence next needs a sequence field: set sequence.field at the top or sequenceField here (line 8)',
    ]);
    expect(problemsOf('version: 2\nname: x\n')).toEqual(['version: this build reads layout format version 1 only, the file is version 2 (line 1)']);
    expect(problemsOf('name: [')[0]).toMatch(/^yaml syntax error at 1:/);
  });

  it('loads the MoldUDP64 example, and refuses what Mold framing cannot carry', async () => {
    const mold = await loadFeedLayout(`${examples}itch-mold.yaml`);
    if (!mold.ok) throw new Error(mold.problems.join('\n'));
    expect(mold.layout.framing).toEqual({ kind: 'moldudp64', session: null, firstSequence: 1, retransmit: null });
    expect(problemsOf(`version: 1
name: x
framing: { kind: moldudp64, session: SESSION001, retransmit: "nowhere" }
header: [{ name: t, offset: 0, type: u8 }, { name: s, offset: 1, type: u32 }]
typeField: t
sequence: { field: s }
subscribe: { hex: "00" }
messages: [{ type: 1, name: A, size: 5 }]
`)).toEqual([
      'framing: moldudp64 is one-way: subscribe and keepalive messages cannot be sent (line 3)',
      'framing.retransmit: "nowhere" is not host:port (e.g. 127.0.0.1:9001 or [::1]:9001) (line 3)',
      'sequence: with moldudp64 framing the sequence is Mold\'s (the packet\'s plus the message\'s index): remove it (line 6)',
    ]);
    expect(problemsOf(`version: 1
name: x
framing: { kind: moldudp64 }
header: [{ name: t, offset: 0, type: u8 }]
typeField: t
messages: [{ type: 1, name: A, size: { min: 5, max: 70000 }, sequence: next }]
`)).toEqual([
      'messages[0].size: 70000 bytes does not fit a MoldUDP64 message block (at most 65535) (line 6)',
      'messages[0].sequence: with moldudp64 framing the sequence is Mold\'s: remove it (line 6)',
    ]);
  });

  it('names the file it cannot read', async () => {
    expect(await loadFeedLayout(`${examples}missing.yaml`)).toEqual({ ok: false, problems: [`cannot read layout ${examples}missing.yaml: no such file`] });
  });

  it('docs/FEED_LAYOUT.md shows every key of the format in a YAML example', () => {
    const doc = readFileSync(new URL('../../docs/FEED_LAYOUT.md', import.meta.url), 'utf8');
    const keys = [topLevelSchema, fieldSchema, messageSchema, outboundSchema, keepaliveSchema, ...framingSchema.options]
      .flatMap((schema) => Object.keys(schema.shape));
    expect([...new Set(keys)].filter((key) => !new RegExp(`\\b${key}: `).test(doc))).toEqual([]);
  });
});
