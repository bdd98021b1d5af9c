/** A configuration's private CA: text that parses as an X.509 certificate in PEM. */
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';

export const pemCertificate = z.string().refine(
  (pem) => {
    try {
      new X509Certificate(pem);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'Must be a PEM certificate (-----BEGIN CERTIFICATE-----).' },
);
