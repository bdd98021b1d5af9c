/**
 * OpenSSH user certificates: read one with `ssh-keygen -L` (the reference
 * parser) and check, before connecting, what a server would refuse it for:
 * expiry, a principal list without the user, a host certificate, or a
 * certificate for another key. A server's refusal says only "Permission
 * denied"; these checks say why.
 */
import { ConnectionFailure } from '../report.js';
import type { StageDetail } from '../../../src-shared/connection-report.js';
import type { PrivateDir } from './private-dir.js';
import { runTool, toolEnv } from '../tool.js';

export interface CertificateInfo {
  /** e.g. `ssh-ed25519-cert-v01@openssh.com`. */
  type: string;
  role: 'user' | 'host';
  /** Fingerprint of the certified public key, comparable with the private key's. */
  keyFingerprint: string;
  signingCa: string;
  keyId: string;
  serial: string;
  /** ISO times; null when unbounded. */
  validFrom: string | null;
  validTo: string | null;
  principals: string[];
}

/** Writes the certificate next to the key and asks ssh-keygen what it says. */
export async function inspectCertificate(dir: PrivateDir, certificate: string, timeoutMs: number): Promise<{ path: string; info: CertificateInfo }> {
  const text = certificate.trim();
  if (!/^[a-z0-9-]+-cert-v01@openssh\.com [A-Za-z0-9+/]+=*( [^\r\n]*)?$/.test(text)) {
    throw new ConnectionFailure('UNSUPPORTED_KEY_FORMAT', 'The certificate is not an OpenSSH certificate (one line, `<type>-cert-v01@openssh.com <base64>`).');
  }
  const path = await dir.write('id-cert.pub', `${text}\n`);
  const run = await runTool('ssh-keygen', ['-L', '-f', path], { env: toolEnv(dir.path), timeoutMs });
  if (run.status !== 0) throw new ConnectionFailure('UNSUPPORTED_KEY_FORMAT', `ssh-keygen cannot read the certificate: ${run.stderr.trim()}`);
  return { path, info: parseCertificateListing(run.stdout) };
}

/** Parses `ssh-keygen -L` output, printed with TZ=UTC. */
export function parseCertificateListing(listing: string): CertificateInfo {
  const field = (name: string) => new RegExp(`^\\s*${name}: ?(.*)$`, 'm').exec(listing)?.[1]?.trim() ?? '';
  const [type = '', role = ''] = field('Type').split(/\s+/);
  const validity = field('Valid');
  const fromTo = /^from (\S+) to (\S+)$/.exec(validity);
  const after = /^after (\S+)$/.exec(validity);
  const before = /^before (\S+)$/.exec(validity);
  const utc = (time: string) => new Date(`${time}Z`).toISOString();
  const principalsBlock = /^\s*Principals:[^\n]*\n((?:[ \t]{9,}\S[^\n]*\n)*)/m.exec(listing)?.[1] ?? '';
  return {
    type,
    role: role === 'host' ? 'host' : 'user',
    keyFingerprint: field('Public key').split(/\s+/)[1] ?? '',
    signingCa: field('Signing CA'),
    keyId: field('Key ID').replace(/^"|"$/g, ''),
    serial: field('Serial'),
    validFrom: fromTo ? utc(fromTo[1]!) : after ? utc(after[1]!) : null,
    validTo: fromTo ? utc(fromTo[2]!) : before ? utc(before[1]!) : null,
    principals: principalsBlock
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
  };
}

/**
 * Throws what a server would refuse. An empty principal list passes: with
 * `cert-authority` in authorized_keys it is valid for any user, and only the
 * server knows whether that is how it trusts the CA.
 */
export function checkCertificate(info: CertificateInfo, username: string, keyFingerprint: string, now: Date): void {
  const facts = certificateDetails(info);
  if (info.role !== 'user') throw new ConnectionFailure('CERT_NOT_VALID_FOR_USER', 'This is a host certificate; logging in needs a user certificate.', facts);
  if (info.keyFingerprint !== keyFingerprint) {
    throw new ConnectionFailure('AUTH_REJECTED', `The certificate certifies the key ${info.keyFingerprint}, not this private key (${keyFingerprint}).`, facts);
  }
  if (info.validTo !== null && now > new Date(info.validTo)) {
    throw new ConnectionFailure('CERT_EXPIRED', `The certificate expired at ${info.validTo}.`, facts);
  }
  if (info.validFrom !== null && now < new Date(info.validFrom)) {
    throw new ConnectionFailure('CERT_EXPIRED', `The certificate is not valid before ${info.validFrom}; check this machine's clock.`, facts);
  }
  if (info.principals.length > 0 && !info.principals.includes(username)) {
    throw new ConnectionFailure(
      'CERT_NOT_VALID_FOR_USER',
      `The certificate is valid for ${info.principals.join(', ')}, not for ${username}.`,
      facts,
    );
  }
}

export function certificateDetails(info: CertificateInfo): Record<string, StageDetail> {
  return {
    certificateType: info.type,
    certificateKeyId: info.keyId,
    certificateSerial: info.serial,
    certificateCa: info.signingCa,
    certificateValidFrom: info.validFrom,
    certificateValidTo: info.validTo,
    certificatePrincipals: info.principals,
  };
}
