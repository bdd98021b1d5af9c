// The cryptographic pieces of WinRM auth against published vectors: RC4
// (RFC 6229), MD4 (RFC 1320), NTLMv2 and NTLM sealing ([MS-NLMP] 4.2.4,
// also reproduced with Debian's python3-ntlm-auth), n-fold (RFC 3961),
// AES-CTS and key derivation (RFC 3962), and RFC 4121 wrap tokens.
import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Rc4 } from '../../src-delegate/connection/winrm/rc4.js';
import {
  AvId,
  NtlmSecurity,
  createAuthenticateMessage,
  createNegotiateMessage,
  encodeAvPairs,
  hmacMd5,
  md4Hash,
  ntowfv2,
  parseAvPairs,
  parseChallengeMessage,
  readField,
} from '../../src-delegate/connection/winrm/ntlm.js';
import {
  CfxContext,
  KerberosCryptoError,
  aesCtsDecrypt,
  aesCtsEncrypt,
  decrypt,
  deriveKey,
  encrypt,
  nfold,
  type SessionKeys,
} from '../../src-delegate/connection/winrm/kerberos-crypto.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('RC4', () => {
  it('matches RFC 6229 for a 40-bit key, across calls', () => {
    const rc4 = new Rc4(hex('0102030405'));
    expect(rc4.update(Buffer.alloc(8)).toString('hex')).toBe('b2396305f03dc027');
    expect(rc4.update(Buffer.alloc(8)).toString('hex')).toBe('ccc3524a0a1118a8');
  });

  it('matches RFC 6229 for a 128-bit key', () => {
    const rc4 = new Rc4(hex('0102030405060708090a0b0c0d0e0f10'));
    expect(rc4.update(Buffer.alloc(16)).toString('hex')).toBe('9ac7cc9a609d1ef7b2932899cde41b97');
  });

  it('decrypts what it encrypts', () => {
    const key = hex('00112233445566778899aabbccddeeff');
    const sealed = new Rc4(key).update(Buffer.from('a message'));
    expect(new Rc4(key).update(sealed).toString()).toBe('a message');
  });
});

describe('MD4 (js-md4, since OpenSSL 3 has none)', () => {
  it('matches RFC 1320', () => {
    expect(md4Hash(Buffer.from('')).toString('hex')).toBe('31d6cfe0d16ae931b73c59d7e0c089c0');
    expect(md4Hash(Buffer.from('abc')).toString('hex')).toBe('a448017aaf21d8525fc10ae87aa6729d');
    expect(md4Hash(Buffer.from('message digest')).toString('hex')).toBe('d9130a8164549fe818874806e1c7014b');
  });
});

describe('NTLMv2 ([MS-NLMP] 4.2.4)', () => {
  const serverChallenge = hex('0123456789abcdef');
  const clientChallenge = hex('aaaaaaaaaaaaaaaa');
  const utf16 = (text: string) => Buffer.from(text, 'utf16le');

  it('computes NTOWFv2, the proof and the session base key', () => {
    const key = ntowfv2('Password', 'User', 'Domain');
    expect(key.toString('hex')).toBe('0c868a403bfd7a93a3001ef22ef02e3f');
    const targetInfo = encodeAvPairs([
      { id: AvId.NbDomainName, value: utf16('Domain') },
      { id: AvId.NbComputerName, value: utf16('Server') },
    ]);
    const temp = Buffer.concat([hex('0101000000000000'), Buffer.alloc(8), clientChallenge, Buffer.alloc(4), targetInfo, Buffer.alloc(4)]);
    const proof = hmacMd5(key, serverChallenge, temp);
    expect(proof.toString('hex')).toBe('68cd0ab851e51c96aabc927bebef6a1c');
    expect(hmacMd5(key, proof).toString('hex')).toBe('8de40ccadbc14a82f15cb0ad0de95ca3');
  });

  it('seals and signs like the spec and python3-ntlm-auth, with sequence numbers', () => {
    const client = new NtlmSecurity(Buffer.alloc(16, 0x55), 'client');
    const first = client.seal(utf16('Plaintext'));
    expect(first.sealed.toString('hex')).toBe('54e50165bf1936dc996020c1811b0f06fb5f');
    expect(first.signature.toString('hex')).toBe('010000007fb38ec5c55d497600000000');
    const second = client.seal(Buffer.from('second message'));
    expect(second.sealed.toString('hex')).toBe('47a6078f91c67f8aff502232cb2f');
    expect(second.signature.toString('hex')).toBe('010000004c55ec1dfa82904001000000');
  });

  it('unseals in order, and rejects an altered or replayed message', () => {
    const client = new NtlmSecurity(Buffer.alloc(16, 7), 'client');
    const server = new NtlmSecurity(Buffer.alloc(16, 7), 'server');
    const a = client.seal(Buffer.from('first'));
    const b = client.seal(Buffer.from('second'));
    expect(server.unseal(a.signature, a.sealed).toString()).toBe('first');
    const tampered = Buffer.from(b.sealed);
    tampered[0]! ^= 1;
    expect(() => server.unseal(b.signature, tampered)).toThrow(/signature/);
    const fresh = new NtlmSecurity(Buffer.alloc(16, 7), 'server');
    expect(() => fresh.unseal(b.signature, b.sealed)).toThrow(/signature/);
  });

  it('builds an AUTHENTICATE message whose proof, session key and MIC a server can check', () => {
    const negotiate = createNegotiateMessage();
    const challengeTargetInfo = encodeAvPairs([
      { id: AvId.NbDomainName, value: utf16('EMULATOR') },
      { id: AvId.Timestamp, value: Buffer.alloc(8, 1) },
    ]);
    const challengeRaw = Buffer.alloc(56);
    challengeRaw.write('NTLMSSP\0', 0, 'latin1');
    challengeRaw.writeUInt32LE(2, 8);
    challengeRaw.writeUInt32LE(negotiate.readUInt32LE(12), 20);
    serverChallenge.copy(challengeRaw, 24);
    challengeRaw.writeUInt16LE(challengeTargetInfo.length, 40);
    challengeRaw.writeUInt16LE(challengeTargetInfo.length, 42);
    challengeRaw.writeUInt32LE(56, 44);
    const challenge = parseChallengeMessage(Buffer.concat([challengeRaw, challengeTargetInfo]));
    const exportedSessionKey = Buffer.alloc(16, 0x33);
    const { message } = createAuthenticateMessage({
      username: 'alice',
      domain: 'EMULATOR',
      password: 'secret-password',
      negotiate,
      challenge,
      targetSpn: 'HTTP/localhost',
      clientChallenge,
      exportedSessionKey,
    });
    expect(readField(message, 36).toString('utf16le')).toBe('alice');
    expect(readField(message, 12)).toEqual(Buffer.alloc(24));
    const nt = readField(message, 20);
    const key = ntowfv2('secret-password', 'alice', 'EMULATOR');
    expect(nt.subarray(0, 16)).toEqual(hmacMd5(key, serverChallenge, nt.subarray(16)));
    const pairs = parseAvPairs(nt.subarray(16 + 28));
    expect(pairs.find((p) => p.id === AvId.TargetName)?.value.toString('utf16le')).toBe('HTTP/localhost');
    expect(pairs.find((p) => p.id === AvId.Flags)?.value.readUInt32LE(0)).toBe(2);
    const recovered = new Rc4(hmacMd5(key, nt.subarray(0, 16))).update(readField(message, 52));
    expect(recovered).toEqual(exportedSessionKey);
    const zeroed = Buffer.from(message);
    zeroed.fill(0, 72, 88);
    expect(message.subarray(72, 88)).toEqual(hmacMd5(exportedSessionKey, negotiate, challenge.raw, zeroed));
  });
});

describe('Kerberos crypto (RFC 3961, 3962)', () => {
  it('n-folds like RFC 3961', () => {
    expect(nfold(Buffer.from('012345'), 8).toString('hex')).toBe('be072631276b1955');
    expect(nfold(Buffer.from('password'), 7).toString('hex')).toBe('78a07b6caf85fa');
    expect(nfold(Buffer.from('Rough Consensus, and Running Code'), 8).toString('hex')).toBe('bb6ed30870b7f0e0');
    expect(nfold(Buffer.from('kerberos'), 16).toString('hex')).toBe('6b65726265726f737b9b5b2b93132b93');
    expect(nfold(Buffer.from('kerberos'), 32).toString('hex')).toBe('6b65726265726f737b9b5b2b93132b935c9bdcdad95c9899c4cae4dee6d6cae4');
  });

  it('derives string-to-key results of RFC 3962 appendix B', () => {
    const tkey128 = pbkdf2Sync('password', 'ATHENA.MIT.EDUraeburn', 1, 16, 'sha1');
    expect(deriveKey({ etype: 17, value: tkey128 }, Buffer.from('kerberos')).value.toString('hex')).toBe('42263c6e89f4fc28b8df68ee09799f15');
    const tkey256 = pbkdf2Sync('password', 'ATHENA.MIT.EDUraeburn', 1, 32, 'sha1');
    expect(deriveKey({ etype: 18, value: tkey256 }, Buffer.from('kerberos')).value.toString('hex')).toBe(
      'fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161',
    );
  });

  it('does AES-CTS like RFC 3962 appendix B', () => {
    const key = { etype: 17, value: Buffer.from('chicken teriyaki') };
    const cases = [
      ['4920776f756c64206c696b652074686520', 'c6353568f2bf8cb4d8a580362da7ff7f97'],
      ['4920776f756c64206c696b65207468652047656e6572616c20476175277320', 'fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5'],
      ['4920776f756c64206c696b65207468652047656e6572616c2047617527732043', '39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584'],
      [
        '4920776f756c64206c696b65207468652047656e6572616c20476175277320436869636b656e2c20706c656173652c20616e6420776f6e746f6e20736f75702e',
        '97687268d6ecccc0c07b25e25ecfe58439312523a78662d5be7fcbcc98ebf5a84807efe836ee89a526730dbc2f7bc8409dad8bbb96c4cdc03bc103e1a194bbd8',
      ],
    ] as const;
    for (const [plain, cipher] of cases) {
      expect(aesCtsEncrypt(key, hex(plain)).toString('hex')).toBe(cipher);
      expect(aesCtsDecrypt(key, hex(cipher)).toString('hex')).toBe(plain);
    }
  });

  it('encrypts with integrity: a wrong key or usage fails', () => {
    const key = { etype: 18, value: Buffer.alloc(32, 9) };
    const sealed = encrypt(key, 11, Buffer.from('authenticator'));
    expect(decrypt(key, 11, sealed).toString()).toBe('authenticator');
    expect(() => decrypt(key, 12, sealed)).toThrow(KerberosCryptoError);
    expect(() => decrypt({ etype: 18, value: Buffer.alloc(32, 8) }, 11, sealed)).toThrow(/integrity/);
  });
});

describe('RFC 4121 wrap tokens in the WinRM layout', () => {
  const keys: SessionKeys = {
    sessionKey: { etype: 18, value: Buffer.alloc(32, 1) },
    initiatorSubkey: { etype: 18, value: Buffer.alloc(32, 2) },
    initiatorSeq: 1000,
    acceptorSubkey: { etype: 18, value: Buffer.alloc(32, 3) },
    acceptorSeq: 0xfffffff0,
  };

  it('puts the 16-byte header and 44 rotated bytes in the signature and keeps the data its own length', () => {
    const initiator = new CfxContext(keys, 'initiator');
    const acceptor = new CfxContext(keys, 'acceptor');
    const plain = Buffer.from('<s:Envelope>a SOAP message of some length</s:Envelope>');
    const { header, data } = initiator.wrap(plain);
    expect(header.length).toBe(60);
    expect(data.length).toBe(plain.length);
    expect(header.subarray(0, 4).toString('hex')).toBe('050406ff');
    expect(header.readUInt16BE(6)).toBe(28);
    expect(header.readBigUInt64BE(8)).toBe(1000n);
    expect(acceptor.unwrap(header, data)).toEqual(plain);
    const reply = acceptor.wrap(Buffer.from('reply'));
    expect(reply.header[2]).toBe(0x07);
    expect(initiator.unwrap(reply.header, reply.data).toString()).toBe('reply');
  });

  it('rejects tokens that are altered, replayed, or sent back to their sender', () => {
    const initiator = new CfxContext(keys, 'initiator');
    const acceptor = new CfxContext(keys, 'acceptor');
    const first = initiator.wrap(Buffer.from('one'));
    const altered = Buffer.from(first.data);
    altered[0]! ^= 0x80;
    expect(() => acceptor.unwrap(first.header, altered)).toThrow(/integrity/);
    expect(() => initiator.unwrap(first.header, first.data)).toThrow(/direction/);
    expect(acceptor.unwrap(first.header, first.data).toString()).toBe('one');
    expect(() => acceptor.unwrap(first.header, first.data)).toThrow(/sequence/);
  });
});
