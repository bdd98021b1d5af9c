/**
 * Benchmark: a full SSH password test by the delegate's tester (DNS, TCP,
 * handshake and host-key check, the auth-method probe, login, `whoami`)
 * against the same real sshd as `ssh -o BatchMode=yes … whoami` with a key,
 * the quickest check an admin's script could make, in the same run.
 */
import { performance } from 'node:perf_hooks';
import { testSshCredential, knownHostsFrom } from '../../src-delegate/connection/ssh/index.js';
import { generateKey, referenceSsh, startSshd } from '../fixtures/sshd.js';
import { median } from './median.js';

export interface SshBenchResult {
  iterations: number;
  oursMedianMs: number;
  sshMedianMs: number;
  /** ours / ssh. */
  ratio: number;
}


export async function benchSshPassword(iterations = 10): Promise<SshBenchResult> {
  const sshd = await startSshd();
  try {
    const key = await generateKey('ed25519');
    const user = await sshd.addUser({ password: 'bench-Pa55word!', authorizedKeys: [key.publicKey] });
    const known = knownHostsFrom(sshd.hostKeys.map((hostKey) => ({ host: sshd.host, port: sshd.port, keyType: hostKey.keyType, fingerprint: hostKey.fingerprint })));
    const ours: number[] = [];
    const reference: number[] = [];
    // Alternate the two, so a busy moment on the machine costs both sides alike.
    for (let i = 0; i < iterations; i++) {
      let started = performance.now();
      const report = await testSshCredential({ kind: 'password', username: user.name, password: user.password }, { host: sshd.host, port: sshd.port }, { knownHosts: known, mask: (text) => text });
      ours.push(performance.now() - started);
      if (!report.ok) throw new Error(`the SSH password test failed: ${report.error?.code} ${report.error?.message}`);
      started = performance.now();
      const result = await referenceSsh({ port: sshd.port, user: user.name, knownHosts: sshd.knownHosts(), auth: { privateKey: key.privateKey } });
      reference.push(performance.now() - started);
      if (result.status !== 0) throw new Error(`ssh failed: ${result.stderr}`);
    }
    const oursMedianMs = median(ours);
    const sshMedianMs = median(reference);
    return { iterations, oursMedianMs, sshMedianMs, ratio: oursMedianMs / sshMedianMs };
  } finally {
    await sshd.stop();
  }
}
