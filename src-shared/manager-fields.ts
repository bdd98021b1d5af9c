/**
 * The fields of each manager kind's form, as data: label, type, whether it is
 * secret, when it is required and shown, and the checks made before anything
 * is sealed. Each kind's description (manager-kinds.ts) carries its table,
 * so the renderer's form and anything else that shows a configuration read
 * the same fields. The patterns follow the providers' `configSchema`; the
 * delegate validates the sealed configuration again and answers with
 * `issues`, so a drift shows as an error under the field, never as a bad
 * configuration stored.
 *
 * A field's `key` is its dotted path in the configuration JSON
 * (`credentials.secretAccessKey`). Keys that start with `$` are form-only
 * choices that decide which fields show; they are never sent.
 */

export type ManagerFormValues = Record<string, string | boolean>;

export type ManagerFieldType = 'text' | 'secret' | 'multiline' | 'number' | 'select' | 'checkbox';

export interface ManagerFieldDef {
  /** Dotted path in the configuration JSON; `$…` is a form-only choice. */
  key: string;
  label: string;
  type: ManagerFieldType;
  /** Secret fields never come back from main (publicConfig leaves them out) and are masked while typed. */
  secret: boolean;
  /** Required when the field shows; a function for fields required only with some choices. */
  required: boolean | ((values: ManagerFormValues) => boolean);
  help?: string;
  placeholder?: string;
  /** For selects; the first is the default unless `defaultValue` says otherwise. */
  options?: readonly { value: string; label: string }[];
  defaultValue?: string | boolean;
  /** How the text becomes a JSON value: a string (default), a number, or a parsed JSON object. */
  valueType?: 'string' | 'number' | 'json';
  min?: number;
  max?: number;
  integer?: boolean;
  maxLength?: number;
  pattern?: RegExp;
  patternMessage?: string;
  /** A further check on a non-empty value, which may compare it with the other fields; returns the message, or null. */
  check?: (value: string, values: ManagerFormValues) => string | null;
  /** Form-only choices (`$…`): the choice an edit starts from, read from the public configuration (`get` reads a dotted path). */
  fromConfig?: (get: (path: string) => unknown) => string | boolean;
  /** Shown only when this returns true. */
  visible?: (values: ManagerFormValues) => boolean;
  /** Tucked under "Advanced" (endpoint overrides, private CA). */
  advanced?: boolean;
  /**
   * Part of the partial configuration that managers.fetchOptions needs (Vault: connect and sign in; Azure: everything but the vault);
   * 'required' when fetching needs it though the manager itself does not (Azure's subscription).
   */
  connection?: boolean | 'required';
  /** A Fetch button next to the field offers what managers.fetchOptions lists (kinds whose description `fetchesOptions`). */
  fetch?: boolean;
  /** A "Load from file" button fills the field with a text file (PEM, JSON key). */
  fileAccept?: string;
}

/** The patterns of the providers' configuration schemas, defined once: the providers' zod schemas and these forms both use them. */
export const configPatterns = {
  awsRegion: /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/,
  awsAccessKeyId: /^[A-Z0-9]{16,128}$/,
  awsRoleArn: /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
  awsExternalId: /^[\w+=,.@:/-]{2,1224}$/,
  /** Groups: 1 the region, 2 the account. */
  awsKeyArn: /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})|alias\/[\w/-]{1,250})$/,
  /** AWS Secrets Manager's name rule: ASCII letters, digits and /_+=.@- only. */
  awsNameChars: /^[A-Za-z0-9/_+=.@-]+$/,
  gcpProject: /^([a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
  gcpLocation: /^[a-z0-9-]{1,63}$/,
  gcpResource: /^[a-zA-Z0-9_-]{1,63}$/,
  azureTenant: /^[0-9A-Za-z][0-9A-Za-z.-]*$/,
  azureVaultName: /^(?!.*--)[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$/,
} as const;
// zod's z.guid() pattern, for the form's check before sealing.
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const { awsRegion: AWS_REGION, awsKeyArn: AWS_KEY_ARN, awsRoleArn: AWS_ROLE_ARN, awsNameChars: AWS_NAME_CHARS, gcpProject: GCP_PROJECT, gcpResource: GCP_RESOURCE, azureTenant: AZURE_TENANT, azureVaultName: AZURE_VAULT_NAME } =
  configPatterns;

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** An http(s) origin without path, query or credentials: the AWS provider's schema refines its endpoints with it. */
export function isHttpOrigin(value: string): boolean {
  const url = parseUrl(value);
  return url !== null && /^https?:$/.test(url.protocol) && url.pathname === '/' && !url.search && !url.username && !url.password;
}

/** An http(s) origin without path, query or credentials (AWS and Google endpoint overrides). */
export function checkOrigin(value: string): string | null {
  const url = parseUrl(value);
  if (!url || !/^https?:$/.test(url.protocol)) return 'An http:// or https:// address';
  return isHttpOrigin(value) ? null : 'An origin such as https://host:443, without path or credentials';
}

export function checkHttpUrl(value: string): string | null {
  const url = parseUrl(value);
  return url && /^https?:$/.test(url.protocol) ? null : 'Must be an http:// or https:// URL.';
}

export function checkHttpsUrl(value: string): string | null {
  const url = parseUrl(value);
  return url && url.protocol === 'https:' ? null : 'Must be an https:// URL.';
}

export function checkPemCertificate(value: string): string | null {
  return value.includes('-----BEGIN CERTIFICATE-----') ? null : 'Must be a PEM certificate (-----BEGIN CERTIFICATE-----).';
}

/** A Vault path without its leading and trailing '/': plain names, no empty, '.' or '..' segment that Vault would clean into another path, no '#', '?' or spaces. The Vault provider's schema refines its paths with it. */
export function isVaultPath(trimmed: string): boolean {
  return trimmed === '' || trimmed.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..' && !/[#?\s]/.test(segment));
}

/** A Vault path: names separated by '/', without '.', '..', '#', '?' or spaces (leading and trailing '/' are dropped). */
export function checkVaultPath(value: string): string | null {
  return isVaultPath(value.replace(/^\/+|\/+$/g, '')) ? null : "A path of names separated by '/', without '.', '..', '#', '?' or spaces.";
}

/** A Google service-account key file: JSON with client_email and a PEM private_key. */
export function checkServiceAccount(value: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return 'Paste the JSON key file as downloaded (it does not parse as JSON).';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'The key file is a JSON object.';
  const account = parsed as Record<string, unknown>;
  if (account.type !== undefined && account.type !== 'service_account') return 'This is not a service-account key ("type" is not "service_account").';
  if (typeof account.client_email !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(account.client_email)) return 'The key file has no client_email.';
  if (typeof account.private_key !== 'string' || !account.private_key.includes('PRIVATE KEY')) return 'The key file has no PEM private_key.';
  return null;
}

const is = (key: string, value: string | boolean) => (values: ManagerFormValues) => values[key] === value;

const caCertificate: ManagerFieldDef = {
  key: 'caCertificate',
  label: 'CA certificate',
  type: 'multiline',
  secret: false,
  required: false,
  maxLength: 65_536,
  check: checkPemCertificate,
  help: 'PEM of a private CA, trusted in addition to the public roots (a TLS-inspecting gateway, a private endpoint, an emulator).',
  placeholder: '-----BEGIN CERTIFICATE-----',
  advanced: true,
  fileAccept: '.pem,.crt,.cer,text/plain',
};

const awsConnection: ManagerFieldDef[] = [
  {
    key: 'region',
    label: 'Region',
    type: 'text',
    secret: false,
    required: true,
    pattern: AWS_REGION,
    patternMessage: 'An AWS region such as eu-west-1',
    placeholder: 'eu-west-1',
  },
  {
    key: 'credentials.accessKeyId',
    label: 'Access key id',
    type: 'text',
    secret: false,
    required: true,
    pattern: configPatterns.awsAccessKeyId,
    patternMessage: 'An access key id such as AKIA…',
    placeholder: 'AKIA…',
    help: 'Of an IAM user. The machine’s ambient credentials are never used.',
  },
  {
    key: 'credentials.secretAccessKey',
    label: 'Secret access key',
    type: 'secret',
    secret: true,
    required: true,
    check: (value) => (value.length < 16 || value.length > 256 ? 'A secret access key has 16 to 256 characters' : null),
  },
  {
    key: 'credentials.sessionToken',
    label: 'Session token',
    type: 'secret',
    secret: true,
    required: false,
    maxLength: 8192,
    help: 'Only with temporary keys. They expire and cannot be renewed; the connection test warns about them.',
  },
  {
    key: '$assumeRole',
    label: 'Assume a role with these keys',
    type: 'checkbox',
    secret: false,
    required: false,
    defaultValue: false,
    help: 'Every request is then signed with the role’s temporary credentials, renewed before they expire.',
    fromConfig: (get) => typeof get('assumeRole.roleArn') === 'string' && get('assumeRole.roleArn') !== '',
  },
  {
    key: 'assumeRole.roleArn',
    label: 'Role ARN',
    type: 'text',
    secret: false,
    required: true,
    pattern: AWS_ROLE_ARN,
    patternMessage: 'A role ARN such as arn:aws:iam::123456789012:role/strongroom',
    placeholder: 'arn:aws:iam::123456789012:role/strongroom',
    visible: is('$assumeRole', true),
  },
  {
    key: 'assumeRole.externalId',
    label: 'External id',
    type: 'text',
    secret: false,
    required: false,
    pattern: configPatterns.awsExternalId,
    patternMessage: '2 to 1224 letters, digits and +=,.@:/-_',
    visible: is('$assumeRole', true),
  },
  {
    key: 'assumeRole.durationSeconds',
    label: 'Session duration (seconds)',
    type: 'number',
    secret: false,
    required: false,
    valueType: 'number',
    integer: true,
    min: 900,
    max: 43_200,
    placeholder: '3600',
    help: '900 to 43,200; 3600 when empty.',
    visible: is('$assumeRole', true),
  },
  {
    key: 'endpoint',
    label: 'Service endpoint',
    type: 'text',
    secret: false,
    required: false,
    check: checkOrigin,
    placeholder: 'https://vpce-0abc.kms.eu-west-1.vpce.amazonaws.com',
    help: 'An interface VPC endpoint or an emulator; the region’s public endpoint when empty.',
    advanced: true,
  },
  {
    key: 'stsEndpoint',
    label: 'STS endpoint',
    type: 'text',
    secret: false,
    required: false,
    check: checkOrigin,
    help: 'For assume-role; the region’s own STS endpoint when empty.',
    advanced: true,
    visible: is('$assumeRole', true),
  },
  caCertificate,
];

export const awsKmsFields: readonly ManagerFieldDef[] = [
  ...awsConnection.slice(0, 1),
  {
    key: 'keyArn',
    label: 'Key ARN',
    type: 'text',
    secret: false,
    required: true,
    pattern: AWS_KEY_ARN,
    patternMessage: 'A key or alias ARN such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-…',
    placeholder: 'arn:aws:kms:eu-west-1:123456789012:key/…',
    help: 'A symmetric ENCRYPT_DECRYPT key, or an alias ARN, in the region above.',
    // As the AWS KMS schema refines it: the key lives in the manager's region.
    check: (value, values) => {
      const arnRegion = AWS_KEY_ARN.exec(value)?.[1];
      const region = typeof values.region === 'string' ? values.region.trim() : '';
      return arnRegion && region && arnRegion !== region ? `The key ARN names region ${arnRegion}, not ${region}` : null;
    },
  },
  ...awsConnection.slice(1),
];

export const awsSecretsManagerFields: readonly ManagerFieldDef[] = [
  ...awsConnection.slice(0, 1),
  {
    key: 'namePrefix',
    label: 'Name prefix',
    type: 'text',
    secret: false,
    required: true,
    maxLength: 256,
    pattern: AWS_NAME_CHARS,
    patternMessage: 'Only ASCII letters, digits and /_+=.@-',
    placeholder: 'strongroom/prod/',
    help: 'Every secret is named <prefix><name>. The prefix is flat: "/" is just a character.',
  },
  {
    key: 'recoveryWindowDays',
    label: 'Recovery window (days)',
    type: 'number',
    secret: false,
    required: false,
    valueType: 'number',
    integer: true,
    min: 7,
    max: 30,
    placeholder: '30',
    help: 'How long AWS keeps a deleted secret restorable: 7 to 30 days; 30 when empty.',
  },
  ...awsConnection.slice(1),
];

export const gcpKmsFields: readonly ManagerFieldDef[] = [
  {
    key: 'projectId',
    label: 'Project id',
    type: 'text',
    secret: false,
    required: true,
    pattern: GCP_PROJECT,
    patternMessage: 'A project id (not its number) such as acme-secrets',
    placeholder: 'acme-secrets',
  },
  {
    key: 'location',
    label: 'Location',
    type: 'text',
    secret: false,
    required: true,
    pattern: configPatterns.gcpLocation,
    patternMessage: 'global, a region such as europe-west1, or a multi-region such as eu',
    placeholder: 'europe-west1',
    help: 'The key ring’s location.',
  },
  { key: 'keyRing', label: 'Key ring', type: 'text', secret: false, required: true, pattern: GCP_RESOURCE, patternMessage: '1 to 63 letters, digits, _ or -' },
  { key: 'keyName', label: 'Key name', type: 'text', secret: false, required: true, pattern: GCP_RESOURCE, patternMessage: '1 to 63 letters, digits, _ or -' },
  {
    key: '$credential',
    label: 'Credential',
    type: 'select',
    secret: false,
    required: true,
    options: [
      { value: 'serviceAccount', label: 'Service-account key (JSON)' },
      { value: 'accessToken', label: 'Access token (expires within an hour)' },
    ],
    defaultValue: 'serviceAccount',
    fromConfig: (get) => (get('credential') === 'accessToken' ? 'accessToken' : 'serviceAccount'),
  },
  {
    key: 'serviceAccount',
    label: 'Service-account key',
    type: 'multiline',
    secret: true,
    required: true,
    valueType: 'json',
    check: checkServiceAccount,
    placeholder: '{ "type": "service_account", "client_email": "…", "private_key": "-----BEGIN PRIVATE KEY-----…" }',
    help: 'The JSON key file as downloaded. The account needs roles/cloudkms.cryptoKeyEncrypterDecrypter on the key.',
    fileAccept: '.json,application/json',
    visible: is('$credential', 'serviceAccount'),
  },
  {
    key: 'accessToken',
    label: 'Access token',
    type: 'secret',
    secret: true,
    required: true,
    maxLength: 4096,
    help: 'For tests and short sessions only: it expires within an hour and cannot be renewed.',
    visible: is('$credential', 'accessToken'),
  },
  {
    key: 'endpoint',
    label: 'Endpoint',
    type: 'text',
    secret: false,
    required: false,
    check: checkOrigin,
    placeholder: 'https://cloudkms.googleapis.com',
    help: 'A Private Service Connect endpoint or an emulator.',
    advanced: true,
  },
  caCertificate,
];

export const azureKeyVaultFields: readonly ManagerFieldDef[] = [
  {
    key: 'environment',
    label: 'Cloud',
    type: 'select',
    secret: false,
    required: true,
    options: [
      { value: 'global', label: 'Azure (global)' },
      { value: 'us-government', label: 'Azure US Government' },
    ],
    defaultValue: 'global',
    connection: true,
  },
  {
    key: 'tenantId',
    label: 'Tenant id',
    type: 'text',
    secret: false,
    required: true,
    pattern: AZURE_TENANT,
    patternMessage: 'A tenant id is a GUID or a domain such as contoso.onmicrosoft.com.',
    placeholder: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    connection: true,
  },
  {
    key: 'clientId',
    label: 'Client id',
    type: 'text',
    secret: false,
    required: true,
    pattern: GUID,
    patternMessage: 'The client (application) id is a GUID.',
    help: 'The application (client) id of the service principal.',
    connection: true,
  },
  {
    key: 'clientSecret',
    label: 'Client secret',
    type: 'secret',
    secret: true,
    required: true,
    help: 'The secret’s value, not its id.',
    connection: true,
  },
  {
    key: 'subscription',
    label: 'Subscription id',
    type: 'text',
    secret: false,
    required: false,
    pattern: GUID,
    patternMessage: 'The subscription id is a GUID.',
    help: 'Needed only to fetch the list of vaults (Reader on the subscription).',
    connection: 'required',
  },
  {
    key: 'vaultName',
    label: 'Vault name',
    type: 'text',
    secret: false,
    required: true,
    pattern: AZURE_VAULT_NAME,
    patternMessage: 'A vault name has 3–24 letters, digits and single dashes, starts with a letter and ends with a letter or digit.',
    placeholder: 'contoso-prod-secrets',
    fetch: true,
  },
  {
    key: 'vaultUrl',
    label: 'Vault URL',
    type: 'text',
    secret: false,
    required: false,
    check: checkHttpsUrl,
    help: 'Only for a private endpoint or an emulator; https://<vault name>.vault.azure.net when empty.',
    advanced: true,
  },
  { key: 'authorityHost', label: 'Sign-in authority', type: 'text', secret: false, required: false, check: checkHttpsUrl, advanced: true, connection: true },
  {
    key: 'resourceManagerUrl',
    label: 'Resource Manager URL',
    type: 'text',
    secret: false,
    required: false,
    check: checkHttpsUrl,
    help: 'Used only to list vaults.',
    advanced: true,
    connection: true,
  },
  { ...caCertificate, connection: true },
];

export const vaultFields: readonly ManagerFieldDef[] = [
  {
    key: 'url',
    label: 'URL',
    type: 'text',
    secret: false,
    required: true,
    check: checkHttpUrl,
    placeholder: 'https://vault.example:8200',
    help: 'http:// is allowed, but the test warns unless it is loopback.',
    connection: true,
  },
  {
    key: 'namespace',
    label: 'Namespace',
    type: 'text',
    secret: false,
    required: false,
    check: checkVaultPath,
    placeholder: 'admin/team-a',
    help: 'Vault Enterprise only.',
    connection: true,
  },
  {
    key: 'auth.method',
    label: 'Authentication',
    type: 'select',
    secret: false,
    required: true,
    options: [
      { value: 'token', label: 'Token' },
      { value: 'approle', label: 'AppRole' },
    ],
    defaultValue: 'token',
    connection: true,
  },
  { key: 'auth.token', label: 'Token', type: 'secret', secret: true, required: true, placeholder: 'hvs.…', visible: is('auth.method', 'token'), connection: true },
  { key: 'auth.roleId', label: 'Role id', type: 'text', secret: false, required: true, visible: is('auth.method', 'approle'), connection: true },
  { key: 'auth.secretId', label: 'Secret id', type: 'secret', secret: true, required: true, visible: is('auth.method', 'approle'), connection: true },
  {
    key: 'auth.mountPath',
    label: 'AppRole mount path',
    type: 'text',
    secret: false,
    required: false,
    check: checkVaultPath,
    placeholder: 'approle',
    visible: is('auth.method', 'approle'),
    connection: true,
  },
  {
    key: 'engine.mount',
    label: 'KV engine mount',
    type: 'text',
    secret: false,
    required: true,
    check: checkVaultPath,
    placeholder: 'secret',
    help: 'Fetch lists the KV mounts this token can see.',
    fetch: true,
  },
  {
    key: 'engine.version',
    label: 'KV version',
    type: 'select',
    secret: false,
    required: true,
    valueType: 'number',
    options: [
      { value: '2', label: 'KV v2 (versioned)' },
      { value: '1', label: 'KV v1' },
    ],
    defaultValue: '2',
  },
  {
    key: 'basePath',
    label: 'Base path',
    type: 'text',
    secret: false,
    required: false,
    check: checkVaultPath,
    placeholder: 'strongroom/prod',
    help: 'Where under the mount Strongroom writes.',
  },
  {
    key: 'renewalIntervalSeconds',
    label: 'Token renewal interval (seconds)',
    type: 'number',
    secret: false,
    required: false,
    valueType: 'number',
    min: 0,
    placeholder: '900',
    help: '0 turns renewal off; 900 when empty.',
  },
  { ...caCertificate, connection: true },
];

export function isRequired(field: ManagerFieldDef, values: ManagerFormValues): boolean {
  return typeof field.required === 'function' ? field.required(values) : field.required;
}
