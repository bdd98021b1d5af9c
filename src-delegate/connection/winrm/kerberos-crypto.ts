/**
 * The parts of Kerberos that WinRM message encryption needs and the
 * `kerberos` addon does not expose: DER reading of the GSS/SPNEGO and
 * Kerberos messages, the AES-CTS-HMAC-SHA1-96 profile (RFC 3961/3962), and
 * RFC 4121 wrap tokens in the layout WinRM uses ([MS-WSMV] 2.2.9.1.2, RRC 28).
 *
 * Why this exists: kerberos 7.0.0's `KerberosClient.wrap` always takes its
 * SASL branch (it passes `user.c_str()`, never NULL), so it can only wrap a
 * 4-byte SASL security-layer message, not a SOAP envelope; and its server
 * side has no wrap or unwrap at all. The keys come from messages we can
 * already decrypt: the ticket session key (from our own credential cache, or
 * a service keytab), which opens the authenticator (initiator subkey and
 * sequence number) and the AP-REP (acceptor subkey and sequence number).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export class KerberosCryptoError extends Error {}

// ---- DER ------------------------------------------------------------------

export interface Der {
  tag: number;
  value: Buffer;
  /** The whole element, header included. */
  raw: Buffer;
}

export function readDer(buf: Buffer, offset = 0): Der {
  if (offset + 2 > buf.length) throw new KerberosCryptoError('truncated DER');
  const tag = buf[offset]!;
  let length = buf[offset + 1]!;
  let at = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || at + count > buf.length) throw new KerberosCryptoError('bad DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[at + i]!;
    at += count;
  }
  if (at + length > buf.length) throw new KerberosCryptoError('DER element overruns its buffer');
  return { tag, value: buf.subarray(at, at + length), raw: buf.subarray(offset, at + length) };
}

export function derChildren(parent: Der): Der[] {
  const out: Der[] = [];
  for (let at = 0; at < parent.value.length; ) {
    const child = readDer(parent.value, at);
    out.push(child);
    at += child.raw.length;
  }
  return out;
}

/** The element wrapped by context tag [n] inside a SEQUENCE, if present. */
function field(sequence: Der, n: number): Der | undefined {
  const tagged = derChildren(sequence).find((child) => child.tag === (0xa0 | n));
  return tagged ? readDer(tagged.value) : undefined;
}

function required(sequence: Der, n: number, what: string): Der {
  const found = field(sequence, n);
  if (!found) throw new KerberosCryptoError(`${what} is missing`);
  return found;
}

/** An [APPLICATION n] element holding a SEQUENCE. */
function application(der: Der, n: number, what: string): Der {
  if (der.tag !== (0x60 | n)) throw new KerberosCryptoError(`expected ${what}`);
  return readDer(der.value);
}

function derInt(der: Der): number {
  let value = 0;
  for (const byte of der.value) value = value * 256 + byte;
  // Sequence numbers are unsigned 32-bit; a leading 0x00 keeps them positive in DER.
  return der.value[0]! & 0x80 && der.value.length <= 4 ? value - 2 ** (8 * der.value.length) : value;
}

const KRB5_OID = Buffer.from('06092a864886f712010202', 'hex');
const MS_KRB5_OID = Buffer.from('06092a864882f712010202', 'hex');

/**
 * The Kerberos message inside a GSS token: a raw krb5 token (`60 … OID TOK_ID msg`),
 * or SPNEGO's NegTokenInit / NegTokenResp carrying one.
 */
export function krb5MessageFromGss(token: Buffer): { tokId: number; message: Der } {
  const outer = readDer(token);
  if (outer.tag === 0x60) {
    const oid = readDer(outer.value);
    const rest = outer.value.subarray(oid.raw.length);
    if (oid.raw.equals(KRB5_OID) || oid.raw.equals(MS_KRB5_OID)) {
      return { tokId: rest.readUInt16BE(0), message: readDer(rest, 2) };
    }
    // SPNEGO NegTokenInit: [0] SEQUENCE { mechTypes [0], reqFlags [1], mechToken [2] OCTET STRING }
    const mechToken = field(readDer(readDer(rest).value), 2);
    if (!mechToken) throw new KerberosCryptoError('SPNEGO token without a mechanism token');
    return krb5MessageFromGss(mechToken.value);
  }
  if (outer.tag === 0xa1) {
    const responseToken = field(readDer(outer.value), 2);
    if (!responseToken) throw new KerberosCryptoError('SPNEGO response without a mechanism token');
    return krb5MessageFromGss(responseToken.value);
  }
  throw new KerberosCryptoError('not a GSS-API token');
}

export interface EncryptedData {
  etype: number;
  cipher: Buffer;
}

function encryptedData(der: Der): EncryptedData {
  return { etype: derInt(required(der, 0, 'etype')), cipher: required(der, 2, 'cipher').value };
}

export interface Key {
  etype: number;
  value: Buffer;
}

function encryptionKey(der: Der): Key {
  return { etype: derInt(required(der, 0, 'keytype')), value: required(der, 1, 'keyvalue').value };
}

export interface ApReq {
  /** The Ticket element exactly as sent, to find its session key in a credential cache. */
  ticketRaw: Buffer;
  ticketEncPart: EncryptedData;
  authenticator: EncryptedData;
}

export function parseApReq(message: Der): ApReq {
  const apReq = application(message, 14, 'AP-REQ');
  const ticket = required(apReq, 3, 'ticket');
  return {
    ticketRaw: ticket.raw,
    ticketEncPart: encryptedData(required(application(ticket, 1, 'Ticket'), 3, 'ticket enc-part')),
    authenticator: encryptedData(required(apReq, 4, 'authenticator')),
  };
}

export interface SessionKeys {
  sessionKey: Key;
  initiatorSubkey?: Key;
  initiatorSeq: number;
  acceptorSubkey?: Key;
  acceptorSeq: number;
}

export function ticketSessionKey(encPart: EncryptedData, serviceKey: Key): Key {
  const plain = decrypt(serviceKey, 2, encPart);
  return encryptionKey(required(application(readDer(plain), 3, 'EncTicketPart'), 1, 'session key'));
}

/** Opens the authenticator (usage 11) and the AP-REP (usage 12) with the ticket session key. */
export function sessionKeysFrom(apReq: ApReq, apRep: Der, sessionKey: Key): SessionKeys {
  const authenticator = application(readDer(decrypt(sessionKey, 11, apReq.authenticator)), 2, 'Authenticator');
  const subkey = field(authenticator, 6);
  const seq = field(authenticator, 7);
  const repPart = application(readDer(decrypt(sessionKey, 12, encryptedData(required(application(apRep, 15, 'AP-REP'), 2, 'enc-part')))), 27, 'EncAPRepPart');
  const repSubkey = field(repPart, 2);
  const repSeq = field(repPart, 3);
  return {
    sessionKey,
    initiatorSubkey: subkey ? encryptionKey(subkey) : undefined,
    initiatorSeq: seq ? derInt(seq) >>> 0 : 0,
    acceptorSubkey: repSubkey ? encryptionKey(repSubkey) : undefined,
    acceptorSeq: repSeq ? derInt(repSeq) >>> 0 : 0,
  };
}

// ---- RFC 3961 / 3962: aes128-cts-hmac-sha1-96 (17), aes256-cts-hmac-sha1-96 (18) ----

const AES_ETYPES: Record<number, string> = { 17: 'aes-128', 18: 'aes-256' };

function cipherName(etype: number, mode: 'ecb' | 'cbc'): string {
  const base = AES_ETYPES[etype];
  if (!base) throw new KerberosCryptoError(`encryption type ${etype} is not supported (only AES with HMAC-SHA1)`);
  return `${base}-${mode}`;
}

/** RFC 3961 n-fold: replicate with 13-bit right rotations, then add in one's complement. */
export function nfold(input: Buffer, outBytes: number): Buffer {
  const inBits = input.length * 8;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const lcm = (input.length * outBytes) / gcd(input.length, outBytes);
  const bit = (i: number) => (input[Math.floor(i / 8)]! >> (7 - (i % 8))) & 1;
  const expanded = Buffer.alloc(lcm);
  for (let copy = 0; copy < lcm / input.length; copy++) {
    const shift = (13 * copy) % inBits;
    for (let i = 0; i < inBits; i++) {
      if (bit((i - shift + inBits) % inBits)) {
        const at = copy * inBits + i;
        expanded[Math.floor(at / 8)]! |= 0x80 >> (at % 8);
      }
    }
  }
  const sum = new Array<number>(outBytes).fill(0);
  for (let chunk = 0; chunk < lcm; chunk += outBytes) {
    for (let i = 0; i < outBytes; i++) sum[i]! += expanded[chunk + i]!;
  }
  // One's complement: carries wrap around from the top byte to the bottom until none is left.
  for (let carried = true; carried; ) {
    carried = false;
    for (let i = outBytes - 1; i >= 0; i--) {
      if (sum[i]! > 0xff) {
        const carry = sum[i]! >> 8;
        sum[i]! &= 0xff;
        sum[(i - 1 + outBytes) % outBytes]! += carry;
        carried = true;
      }
    }
  }
  return Buffer.from(sum);
}

function aesBlock(key: Key, block: Buffer, decipher = false): Buffer {
  const name = cipherName(key.etype, 'ecb');
  const c = decipher ? createDecipheriv(name, key.value, null) : createCipheriv(name, key.value, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

/** DK(key, constant) with DR chaining blocks until the key length is reached; random-to-key is the identity for AES. */
export function deriveKey(key: Key, constant: Buffer): Key {
  const parts: Buffer[] = [];
  let block = nfold(constant, 16);
  while (parts.length * 16 < key.value.length) {
    block = aesBlock(key, block);
    parts.push(block);
  }
  return { etype: key.etype, value: Buffer.concat(parts).subarray(0, key.value.length) };
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** AES in CBC mode with ciphertext stealing, the last two blocks swapped (RFC 3962), zero IV. */
export function aesCtsEncrypt(key: Key, plain: Buffer): Buffer {
  if (plain.length < 16) throw new KerberosCryptoError('CTS needs at least one block');
  const padded = Buffer.concat([plain, Buffer.alloc((16 - (plain.length % 16)) % 16)]);
  const c = createCipheriv(cipherName(key.etype, 'cbc'), key.value, Buffer.alloc(16));
  c.setAutoPadding(false);
  const cbc = Buffer.concat([c.update(padded), c.final()]);
  if (plain.length === 16) return cbc;
  const n = padded.length / 16;
  const lastLength = plain.length - 16 * (n - 1);
  return Buffer.concat([cbc.subarray(0, 16 * (n - 2)), cbc.subarray(16 * (n - 1)), cbc.subarray(16 * (n - 2), 16 * (n - 2) + lastLength)]);
}

export function aesCtsDecrypt(key: Key, cipher: Buffer): Buffer {
  if (cipher.length < 16) throw new KerberosCryptoError('CTS needs at least one block');
  if (cipher.length === 16) return aesBlock(key, cipher, true);
  const n = Math.ceil(cipher.length / 16);
  const lastLength = cipher.length - 16 * (n - 1);
  const head = cipher.subarray(0, 16 * (n - 2));
  const swapped = cipher.subarray(16 * (n - 2), 16 * (n - 1));
  const tail = cipher.subarray(16 * (n - 1));
  const x = aesBlock(key, swapped, true);
  const lastPlain = xor(x.subarray(0, lastLength), tail);
  const previousCipher = Buffer.concat([tail, x.subarray(lastLength)]);
  const before = n > 2 ? head.subarray(head.length - 16) : Buffer.alloc(16);
  const secondLastPlain = xor(aesBlock(key, previousCipher, true), before);
  let headPlain = Buffer.alloc(0);
  if (head.length > 0) {
    const d = createDecipheriv(cipherName(key.etype, 'cbc'), key.value, Buffer.alloc(16));
    d.setAutoPadding(false);
    headPlain = Buffer.concat([d.update(head), d.final()]);
  }
  return Buffer.concat([headPlain, secondLastPlain, lastPlain]);
}

function usageKeys(key: Key, usage: number): { ke: Key; ki: Key } {
  const constant = (suffix: number) => {
    const c = Buffer.alloc(5);
    c.writeUInt32BE(usage);
    c[4] = suffix;
    return c;
  };
  return { ke: deriveKey(key, constant(0xaa)), ki: deriveKey(key, constant(0x55)) };
}

export function encrypt(key: Key, usage: number, plain: Buffer, confounder: Buffer = randomBytes(16)): Buffer {
  const { ke, ki } = usageKeys(key, usage);
  const data = Buffer.concat([confounder, plain]);
  const mac = createHmac('sha1', ki.value).update(data).digest().subarray(0, 12);
  return Buffer.concat([aesCtsEncrypt(ke, data), mac]);
}

export function decrypt(key: Key, usage: number, data: EncryptedData | Buffer): Buffer {
  const cipher = Buffer.isBuffer(data) ? data : data.cipher;
  if (!Buffer.isBuffer(data) && data.etype !== key.etype) {
    throw new KerberosCryptoError(`message encrypted with type ${data.etype}, key is type ${key.etype}`);
  }
  if (cipher.length < 28) throw new KerberosCryptoError('ciphertext too short');
  const { ke, ki } = usageKeys(key, usage);
  const plain = aesCtsDecrypt(ke, cipher.subarray(0, cipher.length - 12));
  const mac = createHmac('sha1', ki.value).update(plain).digest().subarray(0, 12);
  if (!timingSafeEqual(mac, cipher.subarray(cipher.length - 12))) {
    throw new KerberosCryptoError('integrity check failed: wrong key or altered message');
  }
  return plain.subarray(16);
}

// ---- RFC 4121 wrap tokens in the WinRM layout ------------------------------

const FLAG_SENT_BY_ACCEPTOR = 0x01;
const FLAG_SEALED = 0x02;
const FLAG_ACCEPTOR_SUBKEY = 0x04;
const USAGE_ACCEPTOR_SEAL = 22;
const USAGE_INITIATOR_SEAL = 24;
/** Windows rotates the encrypted header copy and checksum to the front: RRC 28 for AES ([MS-KILE] 3.4.5.4.1). */
const WINRM_RRC = 28;

/** One side of an established context: its key and both sequence numbers. */
export class CfxContext {
  private sendSeq: bigint;
  private receiveSeq: bigint;
  private readonly key: Key;
  private readonly acceptorSubkey: boolean;

  constructor(
    keys: SessionKeys,
    private readonly role: 'initiator' | 'acceptor',
  ) {
    this.acceptorSubkey = keys.acceptorSubkey !== undefined;
    this.key = keys.acceptorSubkey ?? keys.initiatorSubkey ?? keys.sessionKey;
    this.sendSeq = BigInt(role === 'initiator' ? keys.initiatorSeq : keys.acceptorSeq);
    this.receiveSeq = BigInt(role === 'initiator' ? keys.acceptorSeq : keys.initiatorSeq);
  }

  /** Seals a message; returns the WinRM "signature" (token header, rotated part) and the encrypted data. */
  wrap(plain: Buffer): { header: Buffer; data: Buffer } {
    const flags = FLAG_SEALED | (this.acceptorSubkey ? FLAG_ACCEPTOR_SUBKEY : 0) | (this.role === 'acceptor' ? FLAG_SENT_BY_ACCEPTOR : 0);
    const header = Buffer.from([0x05, 0x04, flags, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    header.writeBigUInt64BE(this.sendSeq++, 8);
    const usage = this.role === 'initiator' ? USAGE_INITIATOR_SEAL : USAGE_ACCEPTOR_SEAL;
    // EC is 0 (AES-CTS needs no filler) and the header copy inside has RRC 0, as RFC 4121 4.2.4 says.
    const sealed = encrypt(this.key, usage, Buffer.concat([plain, header]));
    const rotated = Buffer.concat([sealed.subarray(sealed.length - WINRM_RRC), sealed.subarray(0, sealed.length - WINRM_RRC)]);
    const outer = Buffer.from(header);
    outer.writeUInt16BE(WINRM_RRC, 6);
    const headerLength = 16 + 16 + WINRM_RRC;
    const token = Buffer.concat([outer, rotated]);
    return { header: token.subarray(0, headerLength), data: token.subarray(headerLength) };
  }

  /** Opens a token from the peer, in any RRC and EC, checking direction, header copy and sequence. */
  unwrap(header: Buffer, data: Buffer): Buffer {
    const token = Buffer.concat([header, data]);
    if (token.length < 16 + 28 || token[0] !== 0x05 || token[1] !== 0x04 || token[3] !== 0xff) {
      throw new KerberosCryptoError('not an RFC 4121 wrap token');
    }
    const flags = token[2]!;
    const fromAcceptor = (flags & FLAG_SENT_BY_ACCEPTOR) !== 0;
    if (fromAcceptor !== (this.role === 'initiator')) throw new KerberosCryptoError('wrap token sent in the wrong direction');
    if (!(flags & FLAG_SEALED)) throw new KerberosCryptoError('wrap token is not sealed');
    const ec = token.readUInt16BE(4);
    const rrc = token.readUInt16BE(6) % (token.length - 16);
    const body = token.subarray(16);
    const unrotated = Buffer.concat([body.subarray(rrc), body.subarray(0, rrc)]);
    const usage = this.role === 'initiator' ? USAGE_ACCEPTOR_SEAL : USAGE_INITIATOR_SEAL;
    const plain = decrypt(this.key, usage, unrotated);
    const copy = plain.subarray(plain.length - 16);
    const expected = Buffer.from(token.subarray(0, 16));
    expected.writeUInt16BE(0, 6);
    if (!copy.equals(expected)) throw new KerberosCryptoError('wrap token header does not match its encrypted copy');
    const seq = token.readBigUInt64BE(8);
    if (seq !== this.receiveSeq) throw new KerberosCryptoError(`wrap token out of sequence (got ${seq}, expected ${this.receiveSeq})`);
    this.receiveSeq++;
    return plain.subarray(0, plain.length - 16 - ec);
  }
}
