import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { emptyFlowOrder } from './FlowOrder.js';
import { FLOW_RECORD_BYTES, StreamHasher } from './StreamHasher.js';

describe('StreamHasher', () => {
  it('hashes the documented 48-byte little-endian record after the version prefix', () => {
    const o = { ...emptyFlowOrder(), intendedMs: 12.5, clientOrderId: 7, price: 10_025, quantity: 300, symbolId: 3, phaseIndex: 1,
      kind: 1 as const, side: 2, orderType: 1, timeInForce: 1 };
    const record = Buffer.alloc(FLOW_RECORD_BYTES);
    record.writeDoubleLE(12.5, 0);
    record.writeDoubleLE(7, 8);
    record.writeDoubleLE(10_025, 16);
    record.writeDoubleLE(300, 24);
    record.writeUInt32LE(3, 32);
    record.writeUInt32LE(1, 36);
    record.set([1, 2, 1, 1], 40);
    const hasher = new StreamHasher();
    hasher.add(o);
    expect(hasher.digestHex()).toBe(createHash('sha256').update('matchbench-flow-v1\n').update(record).digest('hex'));
  });

  it('can be read mid-stream, and batching does not change the hash', () => {
    const o = emptyFlowOrder();
    const one = new StreamHasher();
    const reference = createHash('sha256').update('matchbench-flow-v1\n');
    for (let i = 0; i < 3_000; i++) {
      o.clientOrderId = i + 1;
      o.intendedMs = i / 3;
      one.add(o);
      const r = Buffer.alloc(FLOW_RECORD_BYTES);
      r.writeDoubleLE(i / 3, 0);
      r.writeDoubleLE(i + 1, 8);
      r.writeUInt8(1, 40);
      reference.update(r);
      if (i === 1_500) expect(one.digestHex()).toBe(reference.copy().digest('hex'));
    }
    expect(one.digestHex()).toBe(reference.digest('hex'));
    expect(one.count).toBe(3_000);
  });
});
