/**
 * MACs over the audit hash chain. Main computes the chain of SHA-256 hashes;
 * only the delegate holds the key that authenticates each link and the head,
 * so rewriting the whole chain or cutting off its tail is detected.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function entryMac(key: Buffer, seq: number, hash: string): string {
  return createHmac('sha256', key).update(`strongroom/audit/entry/v1\0${seq}\0${hash}`).digest('base64');
}

export function headMac(key: Buffer, seq: number, hash: string): string {
  return createHmac('sha256', key).update(`strongroom/audit/head/v1\0${seq}\0${hash}`).digest('base64');
}

export function macEquals(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, 'base64');
  const b = Buffer.from(actual, 'base64');
  return a.length === b.length && timingSafeEqual(a, b);
}
