/** Authenticating the audit chain with the keyring's audit key. */
import { entryMac, headMac, macEquals } from '../audit-mac.js';
import type { DelegateContext, DelegateHandlers } from './context.js';

export function auditHandlers(ctx: DelegateContext) {
  return {
    'audit.mac': async (request) => {
      const key = ctx.requireKeyring().auditKey;
      const macs = request.entries.map((entry) => entryMac(key, entry.seq, entry.hash));
      const last = request.entries[request.entries.length - 1]!;
      return { macs, headMac: headMac(key, last.seq, last.hash) };
    },

    'audit.verify': async (request) => {
      const key = ctx.requireKeyring().auditKey;
      const bad = request.entries.find((entry) => !macEquals(entryMac(key, entry.seq, entry.hash), entry.mac));
      const headValid = request.head === null || macEquals(headMac(key, request.head.seq, request.head.hash), request.head.mac);
      return { firstBadSeq: bad ? bad.seq : null, headValid };
    },
  } satisfies Partial<DelegateHandlers>;
}
