/**
 * The fields of each manager kind's form, as data: label, type, whether it is
 * secret, when it is required and shown. Each kind's description
 * (manager-kinds.ts) carries its table, so the renderer's form and anything
 * else that shows a configuration read the same fields. What a valid value is
 * lives in one place only, the kind's configuration schema
 * (manager-configs/): the form parses what it built with it and shows each
 * issue under the field its path names.
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

const is = (key: string, value: string | boolean) => (values: ManagerFormValues) => values[key] === value;

const caCertificate: ManagerFieldDef = {
  key: 'caCertificate',
  label: 'CA certificate',
  type: 'multiline',
  secret: false,
  required: false,
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
    placeholder: 'eu-west-1',
  },
  {
    key: 'credentials.accessKeyId',
    label: 'Access key id',
    type: 'text',
    secret: false,
    required: true,
    placeholder: 'AKIA…',
    help: 'Of an IAM user. The machine’s ambient credentials are never used.',
  },
  {
    key: 'credentials.secretAccessKey',
    label: 'Secret access key',
    type: 'secret',
    secret: true,
    required: true,
  },
  {
    key: 'credentials.sessionToken',
    label: 'Session token',
    type: 'secret',
    secret: true,
    required: false,
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
    placeholder: 'arn:aws:iam::123456789012:role/strongroom',
    visible: is('$assumeRole', true),
  },
  {
    key: 'assumeRole.externalId',
    label: 'External id',
    type: 'text',
    secret: false,
    required: false,
    visible: is('$assumeRole', true),
  },
  {
    key: 'assumeRole.durationSeconds',
    label: 'Session duration (seconds)',
    type: 'number',
    secret: false,
    required: false,
    valueType: 'number',
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
    placeholder: 'arn:aws:kms:eu-west-1:123456789012:key/…',
    help: 'A symmetric ENCRYPT_DECRYPT key, or an alias ARN, in the region above.',
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
    placeholder: 'acme-secrets',
  },
  {
    key: 'location',
    label: 'Location',
    type: 'text',
    secret: false,
    required: true,
    placeholder: 'europe-west1',
    help: 'The key ring’s location.',
  },
  { key: 'keyRing', label: 'Key ring', type: 'text', secret: false, required: true },
  { key: 'keyName', label: 'Key name', type: 'text', secret: false, required: true },
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
    help: 'For tests and short sessions only: it expires within an hour and cannot be renewed.',
    visible: is('$credential', 'accessToken'),
  },
  {
    key: 'endpoint',
    label: 'Endpoint',
    type: 'text',
    secret: false,
    required: false,
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
    placeholder: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    connection: true,
  },
  {
    key: 'clientId',
    label: 'Client id',
    type: 'text',
    secret: false,
    required: true,
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
    help: 'Needed only to fetch the list of vaults (Reader on the subscription).',
    connection: 'required',
  },
  {
    key: 'vaultName',
    label: 'Vault name',
    type: 'text',
    secret: false,
    required: true,
    placeholder: 'contoso-prod-secrets',
    fetch: true,
  },
  {
    key: 'vaultUrl',
    label: 'Vault URL',
    type: 'text',
    secret: false,
    required: false,
    help: 'Only for a private endpoint or an emulator; https://<vault name>.vault.azure.net when empty.',
    advanced: true,
  },
  { key: 'authorityHost', label: 'Sign-in authority', type: 'text', secret: false, required: false, advanced: true, connection: true },
  {
    key: 'resourceManagerUrl',
    label: 'Resource Manager URL',
    type: 'text',
    secret: false,
    required: false,
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
    placeholder: '900',
    help: '0 turns renewal off; 900 when empty.',
  },
  { ...caCertificate, connection: true },
];

export function isRequired(field: ManagerFieldDef, values: ManagerFormValues): boolean {
  return typeof field.required === 'function' ? field.required(values) : field.required;
}
