/** ssh2, loaded when a key is first parsed or a connection first tested (see lazy-package.ts). */
import type * as Ssh2 from 'ssh2';
import { lazyPackage } from './lazy-package.js';

export const ssh2 = lazyPackage<typeof Ssh2>('ssh2');
