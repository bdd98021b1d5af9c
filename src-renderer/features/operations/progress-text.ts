/** What an operation's bar says in each phase: the counts, in words an admin reads. */
import type { ProgressPhase } from '../../../src-shared/contract.js';

const count = (n: number) => n.toLocaleString('en');
const secrets = (n: number) => `${count(n)} ${n === 1 ? 'secret' : 'secrets'}`;

export function phaseText(phase: ProgressPhase, done: number, total: number): string {
  switch (phase) {
    case 'exporting':
      return `Exported ${count(done)} of ${secrets(total)}`;
    case 'decrypting':
      return `Decrypted ${count(done)} of ${count(total)} parts of the backup`;
    case 'writing':
      return done < total ? `Writing ${secrets(total)} in one transaction` : `Wrote ${secrets(total)}`;
    case 'editing':
      return `Edited ${count(done)} of ${secrets(total)}`;
  }
}
