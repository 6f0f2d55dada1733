import { createHash, type Hash } from 'node:crypto';
import type { FlowOrder } from './FlowOrder.js';

/** Bytes per order in the canonical encoding. */
export const FLOW_RECORD_BYTES = 48;

/** Domain prefix hashed before the first order, naming the encoding's version. */
const PREFIX = 'matchbench-flow-v1\n';

/** Records buffered before they are handed to the hash (48 KiB: amortises the per-update cost). */
const BATCH_RECORDS = 1024;

/**
 * SHA-256 over a client's order stream, updated as orders are drawn. Each order is encoded as one
 * fixed 48-byte little-endian record, so two streams hash equal exactly when they are the same
 * orders in the same order:
 *
 * ```
 * offset  bytes  field
 *      0      8  intendedMs      f64
 *      8      8  clientOrderId   f64 (a safe integer, exact)
 *     16      8  price           f64 (a safe integer, exact)
 *     24      8  quantity        f64 (a safe integer, exact)
 *     32      4  symbolId        u32
 *     36      4  phaseIndex      u32
 *     40      1  kind            u8 (CommandKind)
 *     41      1  side            u8
 *     42      1  orderType       u8
 *     43      1  timeInForce     u8
 *     44      4  reserved        0
 * ```
 *
 * The hash starts with the text `matchbench-flow-v1\n`. `orderKind`, `arrivalKind` and `dueMs` are
 * derived from the same draws and not hashed. The float fields hash their IEEE-754 bits; the
 * generators use only +, −, ×, ÷, √ and V8's own (fdlibm-derived) log/exp/sin/cos, so the bits are
 * the same on every machine running the same Node major.
 */
export class StreamHasher {
  /** Orders hashed so far. */
  count = 0;
  private readonly hash: Hash = createHash('sha256');
  private readonly batch = new Uint8Array(FLOW_RECORD_BYTES * BATCH_RECORDS);
  private readonly view = new DataView(this.batch.buffer);
  private used = 0;

  constructor() {
    this.hash.update(PREFIX, 'utf8');
  }

  /** Adds one order. */
  add(o: FlowOrder): void {
    const v = this.view;
    const at = this.used;
    v.setFloat64(at, o.intendedMs, true);
    v.setFloat64(at + 8, o.clientOrderId, true);
    v.setFloat64(at + 16, o.price, true);
    v.setFloat64(at + 24, o.quantity, true);
    v.setUint32(at + 32, o.symbolId, true);
    v.setUint32(at + 36, o.phaseIndex, true);
    v.setUint8(at + 40, o.kind);
    v.setUint8(at + 41, o.side);
    v.setUint8(at + 42, o.orderType);
    v.setUint8(at + 43, o.timeInForce);
    v.setUint32(at + 44, 0, true);
    this.used = at + FLOW_RECORD_BYTES;
    this.count++;
    if (this.used === this.batch.length) this.flush();
  }

  /** The SHA-256 of the orders so far, hex (the stream may go on: the hash is copied, not finished). */
  digestHex(): string {
    this.flush();
    return this.hash.copy().digest('hex');
  }

  private flush(): void {
    if (this.used === 0) return;
    this.hash.update(this.batch.subarray(0, this.used));
    this.used = 0;
  }
}
