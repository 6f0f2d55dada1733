/**
 * CRC-32C computed bit by bit straight from its definition: slow, obviously right. Tests hold the
 * table-driven {@link crc32c} and the golden frames against it so they do not lean on the codec.
 */
export function crc32cBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
