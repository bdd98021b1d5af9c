/** Connection tests, their history and the known-hosts store, against main. */
import type { ChannelResult, ConnectionTestRecord, KnownHost, ReportStage } from '../../../src-shared/contract.js';
import { call } from '../../api/call.js';
import { getApi } from '../../api/connection.js';
import type { ConsumerChoice } from './connection-form.js';

export function runConnectionTest(request: {
  testId: string;
  secretId: string;
  host: string;
  port: number | undefined;
  consumer: ConsumerChoice | undefined;
}): Promise<ChannelResult<'connections.test'>> {
  return call('connections.test', {
    testId: request.testId,
    secretId: request.secretId,
    host: request.host,
    ...(request.port !== undefined ? { port: request.port } : {}),
    ...(request.consumer ? { consumer: request.consumer } : {}),
    // A new key is trusted only through trustHostKey, after the user compared the fingerprint this test saw.
    acceptNewHostKey: false,
  });
}

export const trustHostKey = (testId: string): Promise<KnownHost> => call('connections.trustHostKey', { testId });

export async function connectionHistory(secretId: string, limit = 20): Promise<ConnectionTestRecord[]> {
  return (await call('connections.history', { secretId, limit })).items;
}

export async function listKnownHosts(): Promise<KnownHost[]> {
  return (await call('knownHosts.list', {})).items;
}

export async function removeKnownHost(host: Pick<KnownHost, 'host' | 'port' | 'keyType'>): Promise<void> {
  await call('knownHosts.remove', { host: host.host, port: host.port, keyType: host.keyType });
}

export async function listApplications() {
  return (await call('apps.list', {})).items;
}

/** Delivers the live stages of every test; the caller filters by its testId. */
export async function followStages(listener: (testId: string, stage: ReportStage) => void): Promise<() => void> {
  const api = await getApi();
  return api.onEvent((event) => {
    if (event.type === 'connection.stage') listener(event.testId, event.stage);
  });
}
