/**
 * A throwaway certificate authority and a server certificate it signed, for
 * emulators that must speak real TLS on loopback. The certificate names
 * DNS:localhost and IP:127.0.0.1 so clients verify the host as they would in
 * production; only the CA's certificate leaves this module as a trust anchor,
 * its key is deleted with the temp dir.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCa {
  /** PEM of the CA: what a client must be told to trust. */
  caCertificate: string;
  /** PEM of the server certificate, signed by the CA. */
  certificate: string;
  /** PEM of the server certificate's private key. */
  key: string;
}

export interface TestCaOptions {
  /** Subject alternative names of the server certificate. */
  subjectAltNames?: string[];
  /** Validity in days; short so a leaked test certificate is worthless soon. */
  days?: number;
}

export async function createTestCa(options: TestCaOptions = {}): Promise<TestCa> {
  const altNames = options.subjectAltNames ?? ['DNS:localhost', 'IP:127.0.0.1'];
  const days = String(options.days ?? 2);
  const dir = await mkdtemp(join(tmpdir(), 'strongroom-test-ca-'));
  const at = (file: string) => join(dir, file);
  // P-256 keys: generated in milliseconds, accepted by every TLS client we test.
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    await run('openssl', [
      'req', '-x509', ...ecKey, '-keyout', at('ca.key'), '-out', at('ca.crt'), '-days', days,
      '-subj', '/CN=Strongroom Test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await run('openssl', ['req', ...ecKey, '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=localhost']);
    await writeFile(
      at('server.ext'),
      [
        `subjectAltName=${altNames.join(',')}`,
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
      ].join('\n'),
    );
    await run('openssl', [
      'x509', '-req', '-in', at('server.csr'), '-CA', at('ca.crt'), '-CAkey', at('ca.key'),
      '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', days, '-sha256', '-extfile', at('server.ext'), '-out', at('server.crt'),
    ]);
    const [caCertificate, certificate, key] = await Promise.all(['ca.crt', 'server.crt', 'server.key'].map((file) => readFile(at(file), 'utf8')));
    return { caCertificate: caCertificate!, certificate: certificate!, key: key! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
