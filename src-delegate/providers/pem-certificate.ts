/**
 * The delegate's own check of a configuration's private CA: that it parses as
 * an X.509 certificate. The shared schema (src-shared/manager-configs) checks
 * its shape, which is all the renderer can; node:crypto tells whether it parses.
 */
import { X509Certificate } from 'node:crypto';
import type { z } from 'zod';

function parses(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}

/** The kind's shared schema, refusing a `caCertificate` that does not parse. */
export function withParsedCaCertificate<Schema extends z.ZodType>(schema: Schema): Schema {
  return schema.superRefine((config, ctx) => {
    const pem = (config as { caCertificate?: unknown } | null)?.caCertificate;
    if (typeof pem === 'string' && !parses(pem)) ctx.addIssue({ code: 'custom', path: ['caCertificate'], message: 'Must be a PEM certificate (-----BEGIN CERTIFICATE-----).' });
  });
}
