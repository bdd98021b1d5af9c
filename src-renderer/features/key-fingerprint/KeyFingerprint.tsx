import { useKeyInspection } from './use-key-inspection.js';
import './key-fingerprint.css';

/** ssh2's names for the key types, as ssh-keygen -l prints them. */
const keyTypeLabels: Record<string, string> = {
  'ssh-ed25519': 'ED25519',
  'ssh-rsa': 'RSA',
  'ecdsa-sha2-nistp256': 'ECDSA',
  'ecdsa-sha2-nistp384': 'ECDSA',
  'ecdsa-sha2-nistp521': 'ECDSA',
};

/** The key's type and SHA256 fingerprint as soon as it is pasted, or why there is none yet. */
export function KeyFingerprint({ id, privateKey, passphrase }: { id: string; privateKey: string; passphrase: string }) {
  const inspection = useKeyInspection(privateKey, passphrase);
  let content;
  switch (inspection.state) {
    case 'empty':
      content = null;
      break;
    case 'reading':
      content = 'Reading the key…';
      break;
    case 'failed':
      content = `The fingerprint is not available: ${inspection.message}`;
      break;
    case 'read':
      content = inspection.inspection.ok ? (
        <>
          <span className="key-fingerprint__type">{keyTypeLabels[inspection.inspection.keyType] ?? inspection.inspection.keyType}</span>{' '}
          <code className="key-fingerprint__value">{inspection.inspection.fingerprint}</code>
        </>
      ) : inspection.inspection.field === 'keyPassphrase' && passphrase === '' ? (
        'Encrypted: the fingerprint shows once its passphrase is entered.'
      ) : (
        inspection.inspection.message
      );
      break;
  }
  // Always rendered, so screen readers hear the fingerprint arrive in a live region that already exists.
  return (
    <p className="field__hint key-fingerprint" id={id} role="status" aria-label="Key fingerprint">
      {content}
    </p>
  );
}
