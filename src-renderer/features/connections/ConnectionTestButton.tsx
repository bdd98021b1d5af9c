import { useState } from 'react';
import { useIntent } from '../../hooks/use-intent.js';
import type { SecretSummary } from '../../../src-shared/contract.js';
import { ConnectionTestDialog } from './ConnectionTestDialog.js';
import { isTestableSecret } from './connection-form.js';
import './connections.css';

interface ConnectionTestButtonProps {
  secret: SecretSummary;
  /** Smaller button for a toolbar or table row. */
  compact?: boolean;
}

/** "Test connection" for SSH, SSH via Kerberos, Vault-signed certificate and WinRM credentials; nothing for other types. */
export function ConnectionTestButton({ secret, compact = false }: ConnectionTestButtonProps) {
  const [open, setOpen] = useState(false);
  const [lastHost, setLastHost] = useState('');
  useIntent('test-credential', () => setOpen(true), ({ secretId }) => secretId === secret.id);
  if (!isTestableSecret(secret)) return null;
  return (
    <>
      <button type="button" className={`btn${compact ? ' btn--small' : ''}`} onClick={() => setOpen(true)} aria-haspopup="dialog">
        Test connection
      </button>
      <span className="dialog-host">
        {open && <ConnectionTestDialog secret={secret} initialHost={lastHost} onClose={() => setOpen(false)} onHostUsed={setLastHost} />}
      </span>
    </>
  );
}
