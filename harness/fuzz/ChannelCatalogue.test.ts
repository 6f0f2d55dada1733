import { describe, expect, it } from 'vitest';
import { SessionErrorReason } from '../../engine/protocol/codes.js';
import { messageLayout, messageLayouts } from '../../engine/protocol/messageLayouts.js';
import { MessageType } from '../../engine/protocol/messages.js';
import { ChannelCatalogue, encodeFrame, type FrameTemplate } from './ChannelCatalogue.js';
import { caseBytes, toHex, type FuzzCase } from './FuzzCase.js';
import { FUZZ_RULES_DEFAULTS as rules } from './fuzzRules.js';

const both = (): [ChannelCatalogue, ChannelCatalogue] => [new ChannelCatalogue(rules, 'orderEntry'), new ChannelCatalogue(rules, 'marketData')];
const heartbeat: FrameTemplate = { name: 'HEARTBEAT', login: true, frame: encodeFrame({ type: MessageType.Heartbeat, symbolId: 0, sequence: 2, timestampNs: 7 }) };
const endOf = (c: FuzzCase | undefined): unknown => c?.expected.end;

describe('ChannelCatalogue', () => {
  it('names one generator\'s cases after the port: bare on order entry, md/ and "market data: " on market data', () => {
    const [orderEntry, marketData] = both();
    orderEntry.truncation([heartbeat]);
    marketData.truncation([heartbeat]);
    expect(orderEntry.cases).toHaveLength(heartbeat.frame.length - 1);
    expect(orderEntry.cases[0]).toMatchObject({ id: 'truncation/HEARTBEAT/1of28', class: 'truncation', description: 'HEARTBEAT cut after 1 of 28 bytes, then idle' });
    expect(orderEntry.cases[0]).not.toHaveProperty('channel');
    expect(marketData.cases[0]).toMatchObject({ id: 'md/truncation/HEARTBEAT/1of28', class: 'md/truncation', channel: 'marketData',
      description: 'market data: HEARTBEAT cut after 1 of 28 bytes, then idle' });
    // Same bytes on both ports, every cut left waiting for the rest.
    expect(marketData.cases.map((c) => toHex(caseBytes(c)))).toEqual(orderEntry.cases.map((c) => toHex(caseBytes(c))));
    expect([...orderEntry.cases, ...marketData.cases].every((c) => c.expected.end.kind === 'silent')).toBe(true);
  });

  it('predicts each port\'s outcome: a NEW_ORDER is a request on order entry, UnexpectedMessage on market data', () => {
    const [orderEntry, marketData] = both();
    const typeName = (cat: ChannelCatalogue): void => cat.foreignTypes(({ hex, known, state }) => {
      const cls = cat === orderEntry ? 'unknownType' : known === undefined ? 'md/unknownType' : 'md/unexpected';
      return { id: `${cls}/${hex}/${state}`, class: cls, description: `type ${hex}` };
    });
    typeName(orderEntry);
    typeName(marketData);
    const own = (sender: string): number => messageLayouts.filter((l) => (l.senders as readonly string[]).includes(sender)).length;
    // Every type byte but the port's sender's own, before and after login.
    expect(orderEntry.cases).toHaveLength(2 * (256 - own('orderEntryClient')));
    expect(marketData.cases).toHaveLength(2 * (256 - own('marketDataSubscriber')));
    expect(orderEntry.cases.some((c) => c.id.startsWith('unknownType/0x10/'))).toBe(false);
    expect(endOf(marketData.cases.find((c) => c.id === 'md/unexpected/0x10/beforeLogin')))
      .toMatchObject({ kind: 'sessionError', reason: SessionErrorReason.UnexpectedMessage });
    expect(endOf(orderEntry.cases.find((c) => c.id === 'unknownType/0x99/loggedIn')))
      .toMatchObject({ kind: 'sessionError', reason: SessionErrorReason.UnknownMessageType });
  });

  it('flips every bit and both CRC extremes, and puts a template\'s prefix before the mutated frame', () => {
    const [orderEntry] = both();
    const prefix = encodeFrame({ type: MessageType.Heartbeat, symbolId: 0, sequence: 2, timestampNs: 7 });
    const behind: FrameTemplate = { ...heartbeat, name: 'BEHIND', frame: encodeFrame({ type: MessageType.Heartbeat, symbolId: 0, sequence: 3, timestampNs: 7 }), prefix };
    orderEntry.crc([behind]);
    expect(orderEntry.cases).toHaveLength(28 * 8 + 2);
    expect(orderEntry.cases.every((c) => toHex(caseBytes(c)).startsWith(toHex(prefix)) && caseBytes(c).length === 56)).toBe(true);
    // Bit 193 lies in the frame's CRC (bytes 24..27): the prefix passes, the mutated frame ends the session.
    expect(orderEntry.cases.find((c) => c.id === 'crc/BEHIND/bit-193')?.description).toBe('BEHIND with bit 1 of byte 24 (crc) flipped');
    expect(endOf(orderEntry.cases.find((c) => c.id === 'crc/BEHIND/bit-193')))
      .toEqual({ kind: 'sessionError', reason: SessionErrorReason.ChecksumMismatch, refSequence: 0 });
    expect(orderEntry.cases.at(-1)?.id).toBe('crc/BEHIND/ones');
  });

  it('sweeps the length field through the values asked for, leaving out the true length and resealing only lengths the engine accepts', () => {
    const [orderEntry] = both();
    orderEntry.length([heartbeat], (trueLength) => [trueLength, 3, rules.maxFrameLength + 1, 32]);
    expect(orderEntry.cases.map((c) => c.id)).toEqual(['length/HEARTBEAT/0x0003-raw', 'length/HEARTBEAT/0x0020-raw',
      'length/HEARTBEAT/0x0020-resealed', 'length/HEARTBEAT/0x1001-raw']);
    expect(caseBytes(orderEntry.cases[2]!)).toHaveLength(32);
  });

  it('gives every LOGIN a fresh client id, from a range of its own per port', () => {
    const [orderEntry, marketData] = both();
    const at = messageLayout(MessageType.Login)!.fields.find((f) => f.name === 'clientId')!.offset;
    const clientId = (frame: Uint8Array): number => new DataView(frame.buffer).getUint32(at, true);
    const ids = [orderEntry.login(), orderEntry.login(), marketData.login(), marketData.login(), ...orderEntry.sessionTemplates().map((t) => t.frame).slice(0, 1)]
      .map(clientId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses a case whose id or class does not fit, or whose id is taken', () => {
    const [orderEntry, marketData] = both();
    const chunks = [{ bytes: heartbeat.frame }];
    expect(() => orderEntry.add('crc/x', 'truncation', 'd', true, chunks)).toThrow('does not start with its class');
    expect(() => orderEntry.add('md/crc/x', 'md/crc', 'd', true, chunks)).toThrow('not of the orderEntry port');
    expect(() => marketData.add('crc/x', 'crc', 'd', true, chunks)).toThrow('not of the marketData port');
    orderEntry.add('crc/x', 'crc', 'd', true, chunks);
    expect(() => orderEntry.add('crc/x', 'crc', 'd', true, chunks)).toThrow('duplicate fuzz case id crc/x');
  });

  it('adds the connection-limit case only when the limit is known, naming the port\'s peers', () => {
    const [orderEntry] = both();
    orderEntry.beyondLimit();
    expect(orderEntry.cases).toEqual([]);
    const limited = new ChannelCatalogue({ ...rules, maxConnections: 4 }, 'marketData');
    limited.beyondLimit();
    expect(limited.cases.map((c) => [c.id, c.description])).toEqual([
      ['md/churn/beyond-limit', 'market data: 4 subscribers logged in (the limit), then one more connection sends LOGIN']]);
  });
});
