/**
 * What the kinds' configuration schemas share: the patterns of provider
 * names and ids, origins, Vault paths and a private CA's PEM. The schemas
 * beside this file are the only definition of a valid configuration: the
 * delegate's providers parse with them, and the add-manager form shows their
 * issues under its fields.
 */
import { z } from 'zod';

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

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** An http(s) origin without path, query or credentials. */
export function isHttpOrigin(value: string): boolean {
  const url = parseUrl(value);
  return url !== null && /^https?:$/.test(url.protocol) && url.pathname === '/' && !url.search && !url.username && !url.password;
}

/** An endpoint override (an emulator, a private endpoint): an http(s) origin without path or credentials. */
export const httpOrigin = z
  .string()
  .refine((value) => /^https?:$/.test(parseUrl(value)?.protocol ?? ''), { error: 'An http:// or https:// address.', abort: true })
  .refine(isHttpOrigin, { error: 'An origin such as https://host:443, without path or credentials.' });

/** A Vault path without its leading and trailing '/': plain names, no empty, '.' or '..' segment that Vault would clean into another path, no '#', '?' or spaces. */
export function isVaultPath(trimmed: string): boolean {
  return trimmed === '' || trimmed.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..' && !/[#?\s]/.test(segment));
}

/**
 * A private CA, trusted in addition to the public roots. Its shape is checked
 * here; whether it parses as an X.509 certificate only node:crypto can tell,
 * so the delegate checks that as well (src-delegate/providers/pem-certificate.ts).
 */
export const pemCertificate = z
  .string()
  .max(65_536, { error: 'A CA certificate is at most 65,536 characters.' })
  .includes('-----BEGIN CERTIFICATE-----', { error: 'Must be a PEM certificate (-----BEGIN CERTIFICATE-----).' });
