// A provider's capability facets (sshSigner, tokenRenewal) must be exactly
// those its kind's description promises: the delegate's handlers read a
// capability through its facet, and main and the UI read the description.
// Here a test-only kind whose description promises SSH signing while its
// provider has no signer is refused when the pool opens it.
import { kvLiteDescription } from '../kinds/kv-lite/description.js';
import { describe, expect, it } from 'vitest';
import type { ProviderKind } from '../../src-shared/delegate-protocol.js';
import { managerKindSpecs, registerManagerKind } from '../../src-shared/manager-kinds.js';
import { capabilityMismatches } from '../../src-delegate/managers/capabilities.js';
import { encryptConfig } from '../../src-delegate/managers/config-crypto.js';
import { ManagerPool } from '../../src-delegate/managers/manager-pool.js';
import { registerProviderKind } from '../../src-delegate/managers/registry.js';
import { Keyring } from '../../src-delegate/keyring.js';
import { configSchema, create } from '../kinds/kv-lite/provider.js';

const store = () => create({ url: 'http://127.0.0.1:9', token: 'unused' });
const signer = { sign: async () => ({ certificate: '', serialNumber: '' }), check: async () => undefined };

describe('capability facets against the kind descriptions', () => {
  it('agree when the provider has just the facets its description promises', () => {
    expect(capabilityMismatches(kvLiteDescription, store())).toEqual([]);
    expect(capabilityMismatches(managerKindSpecs.vault, { ...store(), sshSigner: signer, tokenRenewal: { status: () => ({ state: 'idle', consecutiveFailures: 0, ttlSeconds: null, lastRenewedAt: null, lastError: null }), resume: () => undefined } })).toEqual([]);
  });

  it('name a facet promised and missing, and one present and not promised', () => {
    expect(capabilityMismatches(managerKindSpecs.vault, store())).toEqual(['lacks sshSigner, which its description promises', 'lacks tokenRenewal, which its description promises']);
    expect(capabilityMismatches(kvLiteDescription, { ...store(), sshSigner: signer })).toEqual(['has sshSigner, which its description does not promise']);
  });

  it('refuse, when the pool opens it, a provider without a facet its description promises', async () => {
    const kind = 'kv-lite-claims-ssh' as ProviderKind;
    registerManagerKind(kind, { ...kvLiteDescription, signsSshCertificates: true });
    registerProviderKind(kind, { configSchema, create: () => store() });
    const { keyring } = await Keyring.create('provider capabilities unit passphrase');
    const pool = new ManagerPool(() => undefined);
    const context = { id: 'm-1', kind, configVersion: 1, readOnly: false, config: encryptConfig(keyring, 'm-1', kind, JSON.stringify({ url: 'http://127.0.0.1:9', token: 'unused' })) };
    expect(() => pool.open(keyring, context)).toThrow(/does not match its kind's description: it lacks sshSigner, which its description promises/);
    expect(pool.size).toBe(0);
  });
});
