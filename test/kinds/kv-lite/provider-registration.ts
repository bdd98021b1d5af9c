/**
 * Adds kv-lite's provider to the delegate's registry, as the product kinds'
 * lines in src-delegate/managers/registry.ts do. Only the test delegate entry
 * (entries/delegate.ts) imports it, after the description and before the
 * delegate's main.
 */
import { registerProviderKind } from '../../../src-delegate/managers/registry.js';
import { configSchema, create, type KvLiteConfigInput } from './provider.js';

registerProviderKind(
  'kv-lite',
  { configSchema, create: (config) => create(config as KvLiteConfigInput) },
  // A token left out of an edit is kept only for the same server.
  { token: (previous, next) => typeof next.url === 'string' && previous.url === next.url },
);
