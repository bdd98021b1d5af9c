/**
 * CRC32C against published vectors (RFC 3720 B.4, the iSCSI check values) and
 * against the emulator's independent bitwise implementation.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { crc32c } from '../../src-delegate/providers/gcp-kms.js';
import { crc32cBitwise } from '../emulators/gcp-kms-emulator.js';

const ascending = Buffer.from(Array.from({ length: 32 }, (_, i) => i));

describe('crc32c', () => {
  it.each([
    ['the empty string', Buffer.alloc(0), 0x00000000],
    ['"123456789" (the CRC catalogue check value)', Buffer.from('123456789'), 0xe3069283],
    ['32 bytes of zeros (RFC 3720)', Buffer.alloc(32, 0x00), 0x8a9136aa],
    ['32 bytes of 0xFF (RFC 3720)', Buffer.alloc(32, 0xff), 0x62a8ab43],
    ['32 ascending bytes (RFC 3720)', ascending, 0x46dd794e],
    ['32 descending bytes (RFC 3720)', Buffer.from(ascending).reverse(), 0x113fdb5c],
  ])('matches the known value for %s', (_name, data, expected) => {
    expect(crc32c(data)).toBe(expected);
    expect(crc32cBitwise(data)).toBe(expected);
  });

  it('agrees with the bitwise implementation on random data of every small length', () => {
    for (let length = 0; length < 300; length++) {
      const data = randomBytes(length);
      expect(crc32c(data)).toBe(crc32cBitwise(data));
    }
  });

  it('works on a view into a larger buffer', () => {
    const backing = Buffer.concat([Buffer.from('xx'), Buffer.from('123456789'), Buffer.from('yy')]);
    expect(crc32c(backing.subarray(2, 11))).toBe(0xe3069283);
  });
});
