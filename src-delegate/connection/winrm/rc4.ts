/**
 * RC4, for NTLM sealing. OpenSSL 3 ships RC4 only in its legacy provider,
 * which Node does not load by default (ERR_OSSL_EVP_UNSUPPORTED) and which a
 * packaged app should not depend on; the cipher is a few lines and is checked
 * against the RFC 6229 vectors in test/unit/winrm-rc4.test.ts.
 */
export class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;

  constructor(key: Uint8Array) {
    if (key.length === 0 || key.length > 256) throw new RangeError('RC4 key must be 1 to 256 bytes');
    const s = this.s;
    for (let n = 0; n < 256; n++) s[n] = n;
    let j = 0;
    for (let n = 0; n < 256; n++) {
      j = (j + s[n]! + key[n % key.length]!) & 0xff;
      [s[n], s[j]] = [s[j]!, s[n]!];
    }
  }

  /** Encrypts or decrypts (the same operation), continuing the key stream: NTLM keeps one stream per direction. */
  update(data: Uint8Array): Buffer {
    const s = this.s;
    const out = Buffer.alloc(data.length);
    let { i, j } = this;
    for (let n = 0; n < data.length; n++) {
      i = (i + 1) & 0xff;
      j = (j + s[i]!) & 0xff;
      const t = s[i]!;
      s[i] = s[j]!;
      s[j] = t;
      out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 0xff]!;
    }
    this.i = i;
    this.j = j;
    return out;
  }
}
