import { describe, expect, it } from 'vitest';
import { referenceReach } from '../../src-shared/reference-reach.js';

const vault = (name: string, config: Record<string, unknown>) => ({ name, kind: 'vault', config });
const base = { url: 'https://vault.example:8200', namespace: 'team', engine: { mount: 'secret', version: 2 }, basePath: 'strongroom' };

describe('referenceReach', () => {
  it('reaches when the kind and every identity field agree (objects compared whatever their key order); other fields do not matter', () => {
    const reach = referenceReach(vault('a', base), vault('b', { ...base, engine: { version: 2, mount: 'secret' }, basePath: 'elsewhere' }));
    expect(reach).toEqual({ reaches: true, why: '"b" (HashiCorp Vault) has the same url, namespace, engine' });
  });

  it('does not reach another address, another kind, or a kind that holds no references', () => {
    expect(referenceReach(vault('a', base), vault('b', { ...base, namespace: 'other', engine: { mount: 'kv', version: 2 } }))).toEqual({
      reaches: false,
      why: '"b" (HashiCorp Vault) addresses another store: its namespace, engine differ.',
    });
    expect(referenceReach(vault('a', base), { name: 'sm', kind: 'aws-secrets-manager', config: { region: 'eu-west-1' } }).reaches).toBe(false);
    expect(referenceReach(vault('a', base), { name: 'kms', kind: 'aws-kms', config: {} }).why).toContain('holds no references');
    expect(referenceReach({ name: 'local', kind: 'local', config: {} }, vault('b', base)).reaches).toBe(false);
  });

  it('an absent field and an empty one are the same address', () => {
    const { namespace: _omitted, ...withoutNamespace } = base;
    expect(referenceReach(vault('a', { ...base, namespace: '' }), vault('b', withoutNamespace)).reaches).toBe(true);
  });
});
