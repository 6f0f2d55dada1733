import { describe, expect, it } from 'vitest';
import { RING_BUFFER_DEFAULTS, RingBuffer, validateRingBufferRequest } from './RingBuffer.js';

describe('RingBuffer', () => {
  it('builds with the documented defaults', () => {
    const ring = RingBuffer.build();
    expect(ring.capacity).toBe(RING_BUFFER_DEFAULTS.capacity);
    expect(ring.slotBytes).toBe(64);
    expect(ring.multiProducer).toBe(false);
    expect(ring.consumers).toBe(1);
    expect(ring.gatingSequence(0)).toBe(-1);
    expect(ring.available.length).toBe(0);
  });

  it('reports every problem of a bad request at once, each naming its field', () => {
    const problems = validateRingBufferRequest({ capacity: 1000, slotBytes: 12, producers: 'many' as 'multi', consumers: 0, initialSequence: -1 });
    expect(problems).toHaveLength(5);
    expect(problems.map((p) => p.split(':')[0])).toEqual(['capacity', 'slotBytes', 'producers', 'consumers', 'initialSequence']);
    expect(() => RingBuffer.build({ capacity: 3, slotBytes: 7 })).toThrow(/capacity: must be a power of two[\s\S]*slotBytes: must be a multiple of 8/);
    expect(validateRingBufferRequest({ ...RING_BUFFER_DEFAULTS, capacity: 2 ** 30, slotBytes: 64 })).toEqual([
      'capacity × slotBytes: must be at most 2 GiB, got 68719476736 bytes',
    ]);
  });

  it('maps sequences to slots modulo the capacity, for sequences beyond 2^32 too', () => {
    const ring = RingBuffer.build({ capacity: 8 });
    expect([0, 7, 8, 13, 2 ** 32 + 5, 2 ** 52 + 9].map((s) => ring.slot(s))).toEqual([0, 7, 0, 5, 5, 1]);
  });

  it('lays slots out back to back in every view, Float64 fields aligned', () => {
    const ring = RingBuffer.build({ capacity: 4, slotBytes: 24 });
    expect(ring.float64sPerSlot).toBe(3);
    expect(ring.int32sPerSlot).toBe(6);
    expect(ring.f64.length).toBe(12);
    expect(ring.u8.byteLength).toBe(96);
    ring.f64[ring.slot(6) * ring.float64sPerSlot + 1] = 1.5;
    expect(ring.u8.byteOffset % 8).toBe(0);
    expect(new Float64Array(ring.u8.buffer, ring.u8.byteOffset + 2 * 24 + 8, 1)[0]).toBe(1.5);
  });

  it('shows the same memory on a ring attached from its buffer, and refuses a foreign buffer', () => {
    const ring = RingBuffer.build({ capacity: 16, slotBytes: 32, producers: 'multi', consumers: 3, initialSequence: 2 ** 31 });
    const other = RingBuffer.attach(ring.buffer);
    expect([other.capacity, other.slotBytes, other.multiProducer, other.consumers]).toEqual([16, 32, true, 3]);
    expect(other.gatingSequence(2)).toBe(2 ** 31 - 1);
    ring.i32[5] = 42;
    expect(other.i32[5]).toBe(42);
    expect(() => RingBuffer.attach(new SharedArrayBuffer(4096))).toThrow(/bad magic/);
  });

  it('keeps a consumer\'s gating sequence exact across epochs and word wraps', () => {
    const ring = RingBuffer.build();
    for (const s of [0, 2 ** 30 - 1, 2 ** 30, 2 ** 31 + 7, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 3, 2 ** 53 - 2 ** 33]) {
      ring.setGatingSequence(0, s);
      expect(ring.gatingSequence(0)).toBe(s);
    }
  });

  it('wakes no-one and parks no-one for a sequence already published; an alert stops a park', () => {
    const ring = RingBuffer.build({ capacity: 8 });
    expect(ring.signalConsumers()).toBe(false);
    ring.storeCursorWord(0);
    expect(ring.park(0, 0, 1_000)).toBe('not-parked');
    ring.alert(0);
    expect(ring.isAlerted(0)).toBe(true);
    expect(ring.park(0, 1, 1_000)).toBe('not-parked');
    ring.clearAlert(0);
    expect(ring.park(0, 1, 5)).toBe('timed-out');
    expect(ring.waitingConsumers()).toBe(0);
  });
});
