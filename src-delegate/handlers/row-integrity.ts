/** MACs over the fields of secrets rows, with a key derived from the audit key (format.md 5.7). */
import { rowMac } from '../row-mac.js';
import type { DelegateContext, DelegateHandlers } from './context.js';

export function rowIntegrityHandlers(ctx: DelegateContext) {
  return {
    'rows.mac': async (request) => {
      const key = ctx.requireKeyring().rowMacKey;
      return { macs: request.rows.map((row) => rowMac(key, row)) };
    },
  } satisfies Partial<DelegateHandlers>;
}
