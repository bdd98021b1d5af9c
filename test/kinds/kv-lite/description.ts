/**
 * The description entry of "kv-lite", the test-only manager kind that follows
 * the recipe in docs/architecture.md. A product kind is an entry of the record
 * in src-shared/manager-kinds.ts; a test-only kind joins the same lists
 * through `registerManagerKind`, when this module is imported.
 */
import { z } from 'zod';
import { registerManagerKind, type ManagerKindSpec } from '../../../src-shared/manager-kinds.js';
import { registerManagerConfigSchema } from '../../../src-shared/manager-configs/index.js';

const NAME_MAX_LENGTH = 64;

/** Its configuration: the provider parses with it, and the add-manager form shows its issues (registered below). */
export const kvLiteConfigSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'Must be an http:// or https:// URL.' }),
  token: z.string().min(1),
  prefix: z.string().max(32).regex(/^[a-z0-9-]*$/, 'Lower-case letters, digits and dashes').default(''),
});

export const kvLiteDescription: ManagerKindSpec = {
  role: 'secret-store',
  label: 'KV Lite (test kind)',
  hint: 'Secret store: values are kept in a kv-lite server under a name prefix',
  identityFields: ['url', 'prefix'],
  secretFields: ['token'],
  fields: [
    { key: 'url', label: 'Server URL', type: 'text', secret: false, required: true, placeholder: 'https://kv-lite.example:8300' },
    { key: 'token', label: 'Access token', type: 'secret', secret: true, required: true },
    { key: 'prefix', label: 'Name prefix', type: 'text', secret: false, required: false },
  ],
  reference: { syntax: 'name', hint: 'the full name in the store, prefix included, e.g. team-db-password' },
  remoteNameLabel: 'Remote name',
  maxValueBytes: 4096,
  wrapLimitBytes: null,
  nameRule: (config) => {
    const maxLength = NAME_MAX_LENGTH - (typeof config.prefix === 'string' ? config.prefix.length : 0);
    return {
      pattern: /^[A-Za-z0-9-]+$/,
      maxLength,
      fit: (name) => name.replace(/[^A-Za-z0-9-]/g, '-').slice(0, maxLength) || '-',
      caseInsensitive: false,
    };
  },
  keepsVersions: () => true,
  fetchesOptions: null,
  renewsToken: false,
  signsSshCertificates: false,
  supportsReadOnly: false,
  rewrapsKeys: null,
  requestQuota: null,
  summary: (get) => [get('url'), get('prefix') && `${get('prefix')}*`],
};

registerManagerKind('kv-lite', kvLiteDescription);
registerManagerConfigSchema('kv-lite', kvLiteConfigSchema);
