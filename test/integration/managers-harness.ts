/**
 * Helpers for the managers-*.test.ts files: add a manager with its sealed
 * configuration, and create, update and reveal secrets in it, all through the
 * core's channels as the renderer would.
 */
import type { AppCore } from '../../src-main/core/app-core.js';
import { createSealRecipient, sealBindings, sealValues, type ChannelRequest, type ManagerSummary, type SecretSummary } from '../../src-shared/contract.js';
import { call } from '../support/core-harness.js';

export type ExternalKind = ChannelRequest<'managers.add'>['kind'];

export async function delegateKey(core: AppCore): Promise<string> {
  const status = await call(core, 'app.status', {});
  if (!status.delegatePublicKey) throw new Error('the delegate has no public key');
  return status.delegatePublicKey;
}

export async function sealConfig(core: AppCore, name: string, config: unknown) {
  return sealValues(await delegateKey(core), sealBindings.managerConfig(name), [JSON.stringify(config)]);
}

/** Adds a manager; main tests its connection first unless `skipTest` (for configurations meant to fail). */
export async function addManager(core: AppCore, name: string, kind: ExternalKind, config: unknown, readOnly = false, skipTest = false): Promise<ManagerSummary> {
  return call(core, 'managers.add', { name, kind, sealedConfig: await sealConfig(core, name, config), readOnly, skipTest });
}

export async function addManagerRequest(core: AppCore, name: string, kind: ExternalKind, config: unknown, readOnly = false, skipTest = false) {
  return { name, kind, sealedConfig: await sealConfig(core, name, config), readOnly, skipTest };
}

export async function createIn(core: AppCore, name: string, value: string, managerId?: string): Promise<SecretSummary> {
  const sealedValue = await sealValues(await delegateKey(core), sealBindings.secretCreate([name]), [value]);
  return call(core, 'secrets.create', { name, sealedValue, ...(managerId ? { managerId } : {}) });
}

export async function createInRequest(core: AppCore, name: string, value: string, managerId?: string) {
  const sealedValue = await sealValues(await delegateKey(core), sealBindings.secretCreate([name]), [value]);
  return { name, sealedValue, ...(managerId ? { managerId } : {}) };
}

export async function createManyIn(core: AppCore, items: { name: string; value: string }[], managerId?: string): Promise<SecretSummary[]> {
  const names = items.map((item) => item.name);
  const sealedValues = await sealValues(await delegateKey(core), sealBindings.secretCreate(names), items.map((item) => item.value));
  return (await call(core, 'secrets.createMany', { items: names.map((name) => ({ name })), sealedValues, ...(managerId ? { managerId } : {}) })).items;
}

export async function updateIn(core: AppCore, id: string, value: string): Promise<SecretSummary> {
  const sealedValue = await sealValues(await delegateKey(core), sealBindings.secretUpdate(id), [value]);
  return call(core, 'secrets.update', { id, sealedValue });
}

export async function revealVersion(core: AppCore, id: string, version?: number): Promise<string> {
  const recipient = await createSealRecipient();
  const { sealed } = await call(core, 'secrets.reveal', { id, version, recipientPublicKey: recipient.publicKey, purpose: 'reveal' });
  const [value] = await recipient.open(sealed, sealBindings.secretReveal([id]));
  return value!;
}

export async function revealMany(core: AppCore, ids: string[]): Promise<string[]> {
  const recipient = await createSealRecipient();
  const { sealed } = await call(core, 'secrets.revealMany', { ids, recipientPublicKey: recipient.publicKey });
  return recipient.open(sealed, sealBindings.secretReveal(ids));
}

export async function lockAndUnlock(core: AppCore): Promise<void> {
  const { sealedUnlock } = await import('../support/core-harness.js');
  await call(core, 'vault.lock', {});
  await call(core, 'vault.unlock', await sealedUnlock(core));
}
