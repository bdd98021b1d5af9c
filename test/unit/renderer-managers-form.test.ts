import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { externalManagerKinds, managerKindSpecs } from '../../src-shared/contract.js';
import { configSchema as awsKmsSchema } from '../../src-delegate/providers/aws-kms.js';
import { configSchema as awsSmSchema } from '../../src-delegate/providers/aws-secrets-manager.js';
import { configSchema as gcpSchema } from '../../src-delegate/providers/gcp-kms.js';
import { configSchema as azureSchema, connectionSchema as azureConnectionSchema } from '../../src-delegate/providers/azure-key-vault.js';
import { configSchema as vaultSchema, connectionSchema as vaultConnectionSchema } from '../../src-delegate/providers/vault.js';
import { IpcCallError } from '../../src-renderer/lib/errors.js';
import {
  initialManagerValues,
  managerFields,
  visibleManagerFields,
  type ExternalKind,
  type ManagerFormValues,
} from '../../src-renderer/features/managers/manager-fields.js';
import {
  buildFetchConfig,
  buildManagerConfig,
  checkField,
  fetchedChoices,
  managerErrorText,
  managerErrorsFromServer,
  removeConfirmMessage,
  setDefaultBlockedReason,
  updateRequestName,
  validateManagerName,
  valuesFromPublicConfig,
} from '../../src-renderer/features/managers/manager-form.js';

const schemas: Record<ExternalKind, z.ZodType> = {
  'aws-kms': awsKmsSchema,
  'aws-secrets-manager': awsSmSchema,
  'gcp-kms': gcpSchema,
  'azure-key-vault': azureSchema,
  vault: vaultSchema,
};

const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
const SERVICE_ACCOUNT = JSON.stringify({
  type: 'service_account',
  project_id: 'acme-secrets',
  private_key_id: '1f2e3d',
  private_key: PEM_KEY,
  client_email: 'strongroom@acme-secrets.iam.gserviceaccount.com',
});

/** Every field filled the way an admin would, per kind. */
const filled: Record<ExternalKind, ManagerFormValues> = {
  'aws-kms': {
    region: 'eu-west-1',
    keyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'credentials.accessKeyId': 'AKIAIOSFODNN7EXAMPLE',
    'credentials.secretAccessKey': 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    $assumeRole: true,
    'assumeRole.roleArn': 'arn:aws:iam::123456789012:role/strongroom-kms',
    'assumeRole.externalId': 'strongroom-prod',
    'assumeRole.durationSeconds': '3600',
    endpoint: 'http://127.0.0.1:4566',
  },
  'aws-secrets-manager': {
    region: 'us-east-1',
    namePrefix: 'strongroom/prod/',
    recoveryWindowDays: '7',
    'credentials.accessKeyId': 'AKIAIOSFODNN7EXAMPLE',
    'credentials.secretAccessKey': 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'credentials.sessionToken': 'FwoGZXIvYXdzE',
  },
  'gcp-kms': { projectId: 'acme-secrets', location: 'europe-west1', keyRing: 'strongroom', keyName: 'secrets', $credential: 'serviceAccount', serviceAccount: SERVICE_ACCOUNT },
  'azure-key-vault': {
    environment: 'global',
    tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    clientId: '8c4ab166-85b2-4a09-8a90-33c6eb62daa5',
    clientSecret: ' Xyz8Q~secret with spaces ',
    subscription: '314a085f-7de0-47c1-92e2-db3e8a2301ec',
    vaultName: 'contoso-prod-secrets',
  },
  vault: {
    url: 'https://vault.example:8200',
    namespace: 'admin/team-a',
    'auth.method': 'approle',
    'auth.roleId': '2c1c-role',
    'auth.secretId': '9f2e-secret',
    'engine.mount': 'secret',
    'engine.version': '1',
    basePath: 'strongroom/prod',
    renewalIntervalSeconds: '0',
  },
};

const withValues = (kind: ExternalKind) => ({ ...initialManagerValues(kind), ...filled[kind] });

describe('the manager form builds what the providers’ schemas accept', () => {
  it('has fields, from its description, for every kind a user can add', () => {
    for (const kind of externalManagerKinds) expect(managerFields(kind).length, kind).toBeGreaterThan(0);
  });

  it.each(externalManagerKinds)('%s: a filled form builds a configuration the delegate’s schema accepts', (kind) => {
    const { config, errors } = buildManagerConfig(kind, withValues(kind), false);
    expect(errors).toEqual({});
    const parsed = schemas[kind].safeParse(config);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  });

  it.each(externalManagerKinds)('%s: the minimal required fields are enough, and empty optional fields are left out', (kind) => {
    const values = initialManagerValues(kind);
    for (const field of visibleManagerFields(kind, values)) {
      if (field.required === true && field.type !== 'select' && field.type !== 'checkbox') values[field.key] = filled[kind][field.key] ?? '';
    }
    if (kind === 'vault') values['auth.token'] = 'hvs.CAES';
    const { config, errors } = buildManagerConfig(kind, values, false);
    expect(errors).toEqual({});
    expect(schemas[kind].safeParse(config).success).toBe(true);
    expect(JSON.stringify(config)).not.toMatch(/""/);
    expect(config).not.toHaveProperty('caCertificate');
    expect(config).not.toHaveProperty('endpoint');
  });

  it('marks exactly the fields that hold a secret field of the kind’s description as secret', () => {
    for (const kind of externalManagerKinds) {
      const secretPaths = managerKindSpecs[kind].secretFields;
      // A form field holds a secret path when it is that path or an object around it (Google's whole key file).
      const holdsSecret = (key: string) => secretPaths.some((path) => path === key || path.startsWith(`${key}.`));
      const fields = managerFields(kind).filter((f) => !f.key.startsWith('$'));
      expect(fields.filter((f) => f.secret).map((f) => f.key), kind).toEqual(fields.filter((f) => holdsSecret(f.key)).map((f) => f.key));
      expect(secretPaths.every((path) => fields.some((f) => f.secret && (path === f.key || path.startsWith(`${f.key}.`)))), kind).toBe(true);
    }
  });

  it('never sends form-only choices ($…) and only sends fields that show', () => {
    const values = { ...withValues('aws-kms'), $assumeRole: false };
    const { config } = buildManagerConfig('aws-kms', values, false);
    expect(config).not.toHaveProperty('$assumeRole');
    expect(config).not.toHaveProperty('assumeRole');
    const gcp = buildManagerConfig('gcp-kms', { ...withValues('gcp-kms'), $credential: 'accessToken', accessToken: 'ya29.token' }, false).config;
    expect(gcp).toMatchObject({ accessToken: 'ya29.token' });
    expect(gcp).not.toHaveProperty('serviceAccount');
    expect(gcpSchema.safeParse(gcp).success).toBe(true);
  });

  it('converts numbers, parses the JSON key file and keeps secrets exactly as typed', () => {
    expect(buildManagerConfig('vault', withValues('vault'), false).config).toMatchObject({ engine: { mount: 'secret', version: 1 }, renewalIntervalSeconds: 0 });
    expect(buildManagerConfig('aws-kms', withValues('aws-kms'), false).config).toMatchObject({ assumeRole: { durationSeconds: 3600 } });
    expect(buildManagerConfig('gcp-kms', withValues('gcp-kms'), false).config.serviceAccount).toMatchObject({ client_email: 'strongroom@acme-secrets.iam.gserviceaccount.com' });
    expect(buildManagerConfig('azure-key-vault', withValues('azure-key-vault'), false).config.clientSecret).toBe(' Xyz8Q~secret with spaces ');
  });

  it('puts read-only into a Vault configuration only (the other schemas are strict)', () => {
    expect(buildManagerConfig('vault', withValues('vault'), true).config.readOnly).toBe(true);
    const azure = buildManagerConfig('azure-key-vault', withValues('azure-key-vault'), true).config;
    expect(azure).not.toHaveProperty('readOnly');
    expect(azureSchema.safeParse(azure).success).toBe(true);
  });
});

describe('manager form checks', () => {
  it('names missing required fields, including those a choice requires', () => {
    const { errors } = buildManagerConfig('vault', initialManagerValues('vault'), false);
    expect(errors).toMatchObject({ url: 'URL is required', 'auth.token': 'Token is required', 'engine.mount': 'KV engine mount is required' });
    const approle = buildManagerConfig('vault', { ...initialManagerValues('vault'), 'auth.method': 'approle' }, false).errors;
    expect(approle).toMatchObject({ 'auth.roleId': 'Role id is required', 'auth.secretId': 'Secret id is required' });
    expect(approle).not.toHaveProperty('auth.token');
  });

  it('checks formats as the schemas do', () => {
    const errors = buildManagerConfig(
      'azure-key-vault',
      { ...withValues('azure-key-vault'), clientId: 'not-a-guid', vaultName: 'a--b', vaultUrl: 'http://insecure.example' },
      false,
    ).errors;
    expect(errors.clientId).toMatch(/GUID/);
    expect(errors.vaultName).toMatch(/3–24/);
    expect(errors.vaultUrl).toBe('Must be an https:// URL.');
    expect(buildManagerConfig('aws-secrets-manager', { ...withValues('aws-secrets-manager'), recoveryWindowDays: '3' }, false).errors.recoveryWindowDays).toBe('From 7 to 30 days.');
    expect(buildManagerConfig('aws-kms', { ...withValues('aws-kms'), 'assumeRole.durationSeconds': '12.5' }, false).errors['assumeRole.durationSeconds']).toMatch(/whole number/);
    expect(buildManagerConfig('vault', { ...withValues('vault'), renewalIntervalSeconds: 'soon' }, false).errors.renewalIntervalSeconds).toMatch(/number/);
  });

  it('refuses a key ARN of another region, as the AWS KMS schema does', () => {
    const values = { ...withValues('aws-kms'), region: 'us-east-1' };
    expect(buildManagerConfig('aws-kms', values, false).errors.keyArn).toBe('The key ARN names region eu-west-1, not us-east-1.');
    expect(awsKmsSchema.safeParse(buildManagerConfig('aws-kms', { ...values, keyArn: String(filled['aws-kms'].keyArn) }, false).config).success).toBe(false);
  });

  it('checks a service-account key file before it is sealed', () => {
    const keyFileError = (serviceAccount: string) => buildManagerConfig('gcp-kms', { ...withValues('gcp-kms'), serviceAccount }, false).errors.serviceAccount;
    expect(keyFileError('{')).toMatch(/does not parse/);
    expect(keyFileError('{"type":"authorized_user"}')).toMatch(/not a service-account/);
    expect(keyFileError(JSON.stringify({ client_email: 'ops@example.com' }))).toMatch(/private_key/);
    expect(keyFileError(SERVICE_ACCOUNT)).toBeUndefined();
  });

  it('checks endpoint origins and Vault paths', () => {
    const endpointError = (endpoint: string) => buildManagerConfig('aws-kms', { ...withValues('aws-kms'), endpoint }, false).errors.endpoint;
    expect(endpointError('https://kms.example.com')).toBeUndefined();
    expect(endpointError('https://kms.example.com/path')).toMatch(/without path/);
    expect(endpointError('ftp://x')).toMatch(/http/);
    const basePathError = (basePath: string) => buildManagerConfig('vault', { ...withValues('vault'), basePath }, false).errors.basePath;
    expect(basePathError('/secret/')).toBeUndefined();
    expect(basePathError('a/../b')).toMatch(/'\.\.'/);
    expect(basePathError('has space')).toBeDefined();
  });

  it('shows the schema’s own message under the field it names', () => {
    const { errors } = buildManagerConfig('vault', { ...withValues('vault'), renewalIntervalSeconds: '-1' }, false);
    expect(errors).toEqual({ renewalIntervalSeconds: 'Zero or more seconds.' });
  });

  it('treats a secret of spaces as empty, and an optional empty field as fine', () => {
    const field = managerFields('azure-key-vault').find((f) => f.key === 'clientSecret')!;
    expect(checkField(field, { clientSecret: '   ' })).toBe('Client secret is required');
    const optional = managerFields('azure-key-vault').find((f) => f.key === 'subscription')!;
    expect(checkField(optional, { subscription: '' })).toBeNull();
  });

  it('checks the manager’s name with the contract’s rule', () => {
    expect(validateManagerName('')).toBe('Name is required');
    expect(validateManagerName('-bad')).toMatch(/Start with a letter/);
    expect(validateManagerName('Prod Vault 2')).toBeNull();
    expect(updateRequestName({ name: 'Prod' }, ' Prod ')).toBeUndefined();
    expect(updateRequestName({ name: 'Prod' }, 'Prod 2')).toBe('Prod 2');
  });
});

describe('fetching lists for the form', () => {
  it('Vault: sends only what reaching Vault needs, and its connection schema accepts it', () => {
    const { config, errors } = buildFetchConfig('vault', withValues('vault'));
    expect(errors).toEqual({});
    expect(Object.keys(config).sort()).toEqual(['auth', 'namespace', 'url']);
    expect(vaultConnectionSchema.safeParse(config).success).toBe(true);
  });

  it('Azure: everything but the vault, and the subscription is needed', () => {
    const { config, errors } = buildFetchConfig('azure-key-vault', withValues('azure-key-vault'));
    expect(errors).toEqual({});
    expect(config).not.toHaveProperty('vaultName');
    expect(azureConnectionSchema.safeParse(config).success).toBe(true);
    expect(buildFetchConfig('azure-key-vault', { ...withValues('azure-key-vault'), subscription: '' }).errors.subscription).toMatch(/needed to fetch/);
  });

  it('reports missing connection fields without asking for the rest', () => {
    const { errors } = buildFetchConfig('vault', initialManagerValues('vault'));
    expect(Object.keys(errors).sort()).toEqual(['auth.token', 'url']);
  });

  it('offers KV mounts (with their version) and vaults as choices', () => {
    const mounts = fetchedChoices({
      kind: 'vault',
      mounts: [
        { path: 'secret/', type: 'kv', version: 2, description: 'key/value' },
        { path: 'legacy/', type: 'kv', version: null, description: '' },
        { path: 'ssh-client-signer/', type: 'ssh', version: null, description: '' },
      ],
    });
    expect(mounts).toEqual([
      { label: 'secret', detail: 'KV v2 · key/value', patch: { 'engine.mount': 'secret', 'engine.version': '2' } },
      { label: 'legacy', detail: 'KV', patch: { 'engine.mount': 'legacy' } },
    ]);
    const vaults = fetchedChoices({ kind: 'azure-key-vault', vaults: [{ name: 'contoso-prod', resourceGroup: 'rg-sec', location: 'westeurope' }] });
    expect(vaults).toEqual([{ label: 'contoso-prod', detail: 'rg-sec · westeurope', patch: { vaultName: 'contoso-prod' } }]);
  });
});

describe('editing a manager', () => {
  it('starts from the public configuration, nested or flat, with every secret empty', () => {
    const values = valuesFromPublicConfig('vault', {
      url: 'https://vault.example:8200',
      auth: { method: 'approle', roleId: 'role-1', mountPath: 'approle' },
      engine: { mount: 'kv', version: 1 },
      renewalIntervalSeconds: 3600,
    });
    expect(values).toMatchObject({ url: 'https://vault.example:8200', 'auth.method': 'approle', 'auth.roleId': 'role-1', 'engine.version': '1', renewalIntervalSeconds: '3600', 'auth.secretId': '' });
    const flat = valuesFromPublicConfig('aws-kms', { region: 'eu-west-1', 'credentials.accessKeyId': 'AKIAIOSFODNN7EXAMPLE', 'assumeRole.roleArn': 'arn:aws:iam::123456789012:role/x' });
    expect(flat).toMatchObject({ 'credentials.accessKeyId': 'AKIAIOSFODNN7EXAMPLE', $assumeRole: true, 'credentials.secretAccessKey': '' });
    // Even if main sent a secret field by mistake, the form would not show it.
    expect(valuesFromPublicConfig('azure-key-vault', { clientSecret: 'leaked' }).clientSecret).toBe('');
  });
});

describe('main’s refusals', () => {
  const invalid = (issues: { path: string; message: string }[]) => new IpcCallError('managers.add', { code: 'INVALID_REQUEST', message: 'invalid', issues });

  it('puts issues under their fields, whatever prefix the path has', () => {
    const errors = managerErrorsFromServer(
      'vault',
      invalid([
        { path: 'config.engine.mount', message: 'The engine mount is required.' },
        { path: 'auth', message: 'Invalid input' },
        { path: 'name', message: 'Name is required' },
        { path: 'sealedConfig.caCertificate', message: 'Must be a PEM certificate' },
        { path: 'somethingElse', message: 'odd' },
      ]),
    );
    expect(errors).toEqual({
      'engine.mount': 'The engine mount is required.',
      'auth.method': 'Invalid input',
      name: 'Name is required',
      caCertificate: 'Must be a PEM certificate',
      form: 'somethingElse: odd',
    });
    expect(managerErrorsFromServer('gcp-kms', invalid([{ path: 'serviceAccount.private_key', message: 'a PEM private key' }]))).toEqual({ serviceAccount: 'a PEM private key' });
  });

  it('says what to do for each provider failure', () => {
    const error = (code: ConstructorParameters<typeof IpcCallError>[1]['code'], extra: object = {}) =>
      managerErrorText(new IpcCallError('managers.test', { code, message: 'M.', ...extra }));
    expect(error('MANAGER_IN_USE')).toMatch(/^M\. Move or delete its secrets first/);
    expect(error('PROVIDER_PERMISSION_DENIED', { permission: 'kms:Decrypt' })).toMatch(/lack kms:Decrypt/);
    expect(error('PROVIDER_THROTTLED', { retryAfterMs: 2500 })).toMatch(/try again in 3 s/);
    expect(error('PROVIDER_TLS_UNTRUSTED')).toMatch(/CA certificate/);
    expect(error('READ_ONLY')).toMatch(/cannot be the default/);
    expect(managerErrorsFromServer('vault', new IpcCallError('managers.add', { code: 'NAME_TAKEN', message: 'taken' }))).toEqual({ name: 'A manager with this name already exists.' });
  });

  it('warns before removing a manager that still holds secrets, and explains a disabled Set as default', () => {
    expect(removeConfirmMessage({ name: 'Prod', secretCount: 0 })).not.toMatch(/refused/);
    expect(removeConfirmMessage({ name: 'Prod', secretCount: 3 })).toMatch(/3 secrets, so removal will be refused/);
    expect(setDefaultBlockedReason({ isDefault: false, readOnly: true })).toMatch(/read-only/);
    expect(setDefaultBlockedReason({ isDefault: true, readOnly: false })).toMatch(/Already/);
    expect(setDefaultBlockedReason({ isDefault: false, readOnly: false })).toBeNull();
  });
});
