import { useEffect, useState } from 'react';
import type { SecretType } from '../../src-shared/contract.js';
import { missingToolMessage, toolsNeededBy, type OptionalToolPresence } from '../../src-shared/optional-tools.js';
import { call } from '../api/call.js';

/** Asked once per window: what is installed does not change while the app runs. */
let presence: Promise<OptionalToolPresence | null> | null = null;
function toolPresence(): Promise<OptionalToolPresence | null> {
  presence ??= call('connections.tools', {}).then(
    (result) => result.present,
    // Not knowing is not a reason to warn; a connection test would still name what is missing.
    () => null,
  );
  return presence;
}

/** Warns, under a credential's fields, that a connection test of it would lack a tool on this machine, and what to install. */
export function MissingToolsNotice({ type, auth }: { type: SecretType; auth: string }) {
  const [present, setPresent] = useState<OptionalToolPresence | null>(null);
  useEffect(() => {
    let live = true;
    void toolPresence().then((found) => live && setPresent(found));
    return () => {
      live = false;
    };
  }, []);
  if (!present) return null;
  const missing = toolsNeededBy(type, { auth }).filter((tool) => !present[tool]);
  if (missing.length === 0) return null;
  return (
    <>
      {missing.map((tool) => (
        <p key={tool} className="notice" role="note" data-missing-tool={tool}>
          {missingToolMessage(tool)}
        </p>
      ))}
    </>
  );
}
