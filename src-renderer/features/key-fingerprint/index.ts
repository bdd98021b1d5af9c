/**
 * The fingerprint of a private key as it is pasted, before saving (issue 14).
 * Mount <KeyFingerprint privateKey passphrase /> under a private key field.
 */
export { KeyFingerprint } from './KeyFingerprint.js';
