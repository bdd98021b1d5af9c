/**
 * NTLMv2 for WinRM ([MS-NLMP]): the three messages, the NTLMv2 response, the
 * MIC, channel binding for HTTPS, and session security (sealing with RC4 and
 * signing with HMAC-MD5 and sequence numbers) that WinRM uses to encrypt
 * messages over HTTP. MD4 comes from js-md4 and RC4 from ./rc4, because
 * OpenSSL 3 has neither outside its legacy provider.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { Rc4 } from './rc4.js';

// js-md4 ships no type declarations; this is the one call used.
const md4 = createRequire(import.meta.url)('js-md4') as { arrayBuffer(message: Uint8Array): ArrayBuffer };

export const NtlmFlags = {
  UNICODE: 0x00000001,
  REQUEST_TARGET: 0x00000004,
  SIGN: 0x00000010,
  SEAL: 0x00000020,
  NTLM: 0x00000200,
  ALWAYS_SIGN: 0x00008000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
  N128: 0x20000000,
  KEY_EXCH: 0x40000000,
  N56: 0x80000000,
} as const;

/** What this client asks for; sealing needs SIGN, SEAL, KEY_EXCH, 128-bit keys and extended session security. */
export const CLIENT_FLAGS =
  (NtlmFlags.UNICODE |
    NtlmFlags.REQUEST_TARGET |
    NtlmFlags.SIGN |
    NtlmFlags.SEAL |
    NtlmFlags.NTLM |
    NtlmFlags.ALWAYS_SIGN |
    NtlmFlags.EXTENDED_SESSIONSECURITY |
    NtlmFlags.TARGET_INFO |
    NtlmFlags.VERSION |
    NtlmFlags.N128 |
    NtlmFlags.KEY_EXCH |
    NtlmFlags.N56) >>>
  0;

export const AvId = {
  EOL: 0,
  NbComputerName: 1,
  NbDomainName: 2,
  DnsComputerName: 3,
  DnsDomainName: 4,
  DnsTreeName: 5,
  Flags: 6,
  Timestamp: 7,
  SingleHost: 8,
  TargetName: 9,
  ChannelBindings: 10,
} as const;

/** MsvAvFlags bit saying the AUTHENTICATE message carries a MIC. */
export const AV_FLAG_MIC_PRESENT = 0x2;

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
/** Windows 10 / NTLMSSP revision 15; only informative. */
const VERSION = Buffer.from([10, 0, 0, 0, 0, 0, 0, 15]);

export interface AvPair {
  id: number;
  value: Buffer;
}

export function md4Hash(data: Uint8Array): Buffer {
  return Buffer.from(md4.arrayBuffer(data));
}

export function hmacMd5(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const hmac = createHmac('md5', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

const utf16 = (text: string) => Buffer.from(text, 'utf16le');

/** NTOWFv2: HMAC-MD5 keyed by MD4 of the UTF-16LE password, over the upper-cased user name and the domain. */
export function ntowfv2(password: string, username: string, domain: string): Buffer {
  return hmacMd5(md4Hash(utf16(password)), utf16(username.toUpperCase() + domain));
}

export function parseAvPairs(data: Buffer): AvPair[] {
  const pairs: AvPair[] = [];
  let offset = 0;
  while (offset + 4 <= data.length) {
    const id = data.readUInt16LE(offset);
    const length = data.readUInt16LE(offset + 2);
    if (id === AvId.EOL) break;
    if (offset + 4 + length > data.length) throw new NtlmError('AV pair overruns the target info');
    pairs.push({ id, value: data.subarray(offset + 4, offset + 4 + length) });
    offset += 4 + length;
  }
  return pairs;
}

export function encodeAvPairs(pairs: AvPair[]): Buffer {
  const parts: Buffer[] = [];
  for (const { id, value } of pairs) {
    const head = Buffer.alloc(4);
    head.writeUInt16LE(id, 0);
    head.writeUInt16LE(value.length, 2);
    parts.push(head, value);
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

export class NtlmError extends Error {}

/** Reads the (length, offset) field at `at` and returns the bytes it points to. */
export function readField(message: Buffer, at: number): Buffer {
  const length = message.readUInt16LE(at);
  const offset = message.readUInt32LE(at + 4);
  if (offset + length > message.length) throw new NtlmError('NTLM field overruns the message');
  return message.subarray(offset, offset + length);
}

function checkHeader(message: Buffer, type: number): void {
  if (message.length < 12 || !message.subarray(0, 8).equals(SIGNATURE) || message.readUInt32LE(8) !== type) {
    throw new NtlmError(`not an NTLM type ${type} message`);
  }
}

export function createNegotiateMessage(flags = CLIENT_FLAGS): Buffer {
  const message = Buffer.alloc(40);
  SIGNATURE.copy(message, 0);
  message.writeUInt32LE(1, 8);
  message.writeUInt32LE(flags, 12);
  // Empty domain and workstation fields point at the end of the message.
  message.writeUInt32LE(40, 20);
  message.writeUInt32LE(40, 28);
  VERSION.copy(message, 32);
  return message;
}

export interface ChallengeMessage {
  raw: Buffer;
  flags: number;
  serverChallenge: Buffer;
  targetName: string;
  targetInfo: Buffer;
}

export function parseChallengeMessage(raw: Buffer): ChallengeMessage {
  checkHeader(raw, 2);
  if (raw.length < 48) throw new NtlmError('NTLM challenge message too short');
  const flags = raw.readUInt32LE(20);
  return {
    raw,
    flags,
    serverChallenge: raw.subarray(24, 32),
    targetName: readField(raw, 12).toString(flags & NtlmFlags.UNICODE ? 'utf16le' : 'latin1'),
    targetInfo: flags & NtlmFlags.TARGET_INFO ? readField(raw, 40) : Buffer.alloc(0),
  };
}

/**
 * The channel binding hash for TLS ([MS-NLMP] 2.2.2.1, RFC 5929 tls-server-end-point):
 * MD5 of a gss_channel_bindings_struct whose application data is the certificate's hash.
 */
export function tlsChannelBindingHash(certificateDer: Buffer, signatureHash: string): Buffer {
  // RFC 5929: MD5 and SHA-1 certificates are bound with SHA-256.
  const algorithm = /^(md5|sha1)$/i.test(signatureHash) ? 'sha256' : signatureHash.toLowerCase();
  const appData = Buffer.concat([Buffer.from('tls-server-end-point:'), createHash(algorithm).update(certificateDer).digest()]);
  const struct = Buffer.alloc(20 + appData.length);
  struct.writeUInt32LE(appData.length, 16);
  appData.copy(struct, 20);
  return createHash('md5').update(struct).digest();
}

/** Windows-format time: 100 ns intervals since 1601-01-01. */
export function windowsTimestamp(date = new Date()): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE((BigInt(date.getTime()) + 11_644_473_600_000n) * 10_000n);
  return out;
}

export interface AuthenticateInput {
  username: string;
  domain: string;
  password: string;
  negotiate: Buffer;
  challenge: ChallengeMessage;
  /** `HTTP/host`, sent as MsvAvTargetName so the server can check it. */
  targetSpn: string;
  channelBindingHash?: Buffer;
  /** Fixed values for tests; random otherwise. */
  clientChallenge?: Buffer;
  exportedSessionKey?: Buffer;
}

export interface AuthenticateResult {
  message: Buffer;
  flags: number;
  security: NtlmSecurity;
}

export function createAuthenticateMessage(input: AuthenticateInput): AuthenticateResult {
  const { challenge } = input;
  const flags = (challenge.flags & CLIENT_FLAGS) >>> 0;
  const required = [NtlmFlags.SIGN, NtlmFlags.SEAL, NtlmFlags.KEY_EXCH, NtlmFlags.N128, NtlmFlags.EXTENDED_SESSIONSECURITY, NtlmFlags.UNICODE];
  if (required.some((flag) => !(flags & flag))) {
    throw new NtlmError('the server does not offer NTLMv2 with 128-bit sealing and key exchange');
  }
  const serverPairs = parseAvPairs(challenge.targetInfo);
  const serverTime = serverPairs.find((pair) => pair.id === AvId.Timestamp)?.value;
  const withMic = serverTime !== undefined;
  const pairs = serverPairs.filter((pair) => pair.id !== AvId.Flags && pair.id !== AvId.ChannelBindings && pair.id !== AvId.TargetName);
  const serverAvFlags = serverPairs.find((pair) => pair.id === AvId.Flags)?.value.readUInt32LE(0) ?? 0;
  const avFlags = Buffer.alloc(4);
  avFlags.writeUInt32LE((serverAvFlags | (withMic ? AV_FLAG_MIC_PRESENT : 0)) >>> 0);
  pairs.push(
    { id: AvId.Flags, value: avFlags },
    { id: AvId.ChannelBindings, value: input.channelBindingHash ?? Buffer.alloc(16) },
    { id: AvId.TargetName, value: utf16(input.targetSpn) },
  );

  const clientChallenge = input.clientChallenge ?? randomBytes(8);
  const timestamp = serverTime ?? windowsTimestamp();
  const key = ntowfv2(input.password, input.username, input.domain);
  const temp = Buffer.concat([
    Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
    timestamp,
    clientChallenge,
    Buffer.alloc(4),
    encodeAvPairs(pairs),
    Buffer.alloc(4),
  ]);
  const ntProof = hmacMd5(key, challenge.serverChallenge, temp);
  const ntResponse = Buffer.concat([ntProof, temp]);
  // With a server timestamp the LMv2 response is replaced by zeros ([MS-NLMP] 3.1.5.1.2).
  const lmResponse = withMic
    ? Buffer.alloc(24)
    : Buffer.concat([hmacMd5(key, challenge.serverChallenge, clientChallenge), clientChallenge]);
  const keyExchangeKey = hmacMd5(key, ntProof);
  const exportedSessionKey = input.exportedSessionKey ?? randomBytes(16);
  const encryptedSessionKey = new Rc4(keyExchangeKey).update(exportedSessionKey);

  const payload = [utf16(input.domain), utf16(input.username), Buffer.alloc(0), lmResponse, ntResponse, encryptedSessionKey];
  const headerLength = 88;
  const header = Buffer.alloc(headerLength);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(3, 8);
  // Field order in the header differs from payload order: LM, NT, domain, user, workstation, session key.
  const fieldAt = [28, 36, 44, 12, 20, 52];
  let offset = headerLength;
  payload.forEach((part, index) => {
    const at = fieldAt[index]!;
    header.writeUInt16LE(part.length, at);
    header.writeUInt16LE(part.length, at + 2);
    header.writeUInt32LE(offset, at + 4);
    offset += part.length;
  });
  header.writeUInt32LE(flags, 60);
  VERSION.copy(header, 64);
  const message = Buffer.concat([header, ...payload]);
  if (withMic) hmacMd5(exportedSessionKey, input.negotiate, challenge.raw, message).copy(message, 72);
  return { message, flags, security: new NtlmSecurity(exportedSessionKey, 'client') };
}

const magic = (text: string) => Buffer.from(`session key to ${text} key magic constant\0`, 'latin1');

/**
 * Session security with extended session security, 128-bit keys and key
 * exchange: each direction has its own signing key, RC4 stream and sequence
 * number. Messages must be unsealed in the order they were sealed.
 */
export class NtlmSecurity {
  private readonly outSign: Buffer;
  private readonly inSign: Buffer;
  private readonly outSeal: Rc4;
  private readonly inSeal: Rc4;
  private outSeq = 0;
  private inSeq = 0;

  constructor(exportedSessionKey: Buffer, role: 'client' | 'server') {
    const key = (text: string) => createHash('md5').update(exportedSessionKey).update(magic(text)).digest();
    const c2s = { sign: key('client-to-server signing'), seal: new Rc4(key('client-to-server sealing')) };
    const s2c = { sign: key('server-to-client signing'), seal: new Rc4(key('server-to-client sealing')) };
    const [out, inbound] = role === 'client' ? [c2s, s2c] : [s2c, c2s];
    this.outSign = out.sign;
    this.outSeal = out.seal;
    this.inSign = inbound.sign;
    this.inSeal = inbound.seal;
  }

  seal(message: Buffer): { signature: Buffer; sealed: Buffer } {
    // The message is encrypted before the checksum: both use the same RC4 stream, in this order.
    const sealed = this.outSeal.update(message);
    const signature = this.signature(this.outSign, this.outSeal, this.outSeq++, message);
    return { signature, sealed };
  }

  unseal(signature: Buffer, sealed: Buffer): Buffer {
    const message = this.inSeal.update(sealed);
    const expected = this.signature(this.inSign, this.inSeal, this.inSeq++, message);
    if (signature.length !== 16 || !timingSafeEqual(signature, expected)) {
      throw new NtlmError('NTLM signature does not match: the message was altered or is out of sequence');
    }
    return message;
  }

  private signature(signKey: Buffer, seal: Rc4, seq: number, message: Buffer): Buffer {
    const seqBytes = Buffer.alloc(4);
    seqBytes.writeUInt32LE(seq);
    const checksum = seal.update(hmacMd5(signKey, seqBytes, message).subarray(0, 8));
    return Buffer.concat([Buffer.from([1, 0, 0, 0]), checksum, seqBytes]);
  }
}
