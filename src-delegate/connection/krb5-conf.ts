/** The private krb5.conf every Kerberos test (SSH and WinRM) runs under: one realm, nothing from the system. */

/**
 * No DNS canonicalisation or reverse lookups, so kvno and ssh both ask for
 * `host/<name as given>`; TCP first, so an unreachable KDC fails fast rather
 * than after UDP retries. MIT reads a realm's block only when its braces sit
 * on lines of their own.
 */
export function krb5Conf(realm: string, kdc: string | undefined, serviceHost: string): string {
  const lines = [
    '[libdefaults]',
    `    default_realm = ${realm}`,
    `    dns_lookup_kdc = ${kdc ? 'false' : 'true'}`,
    '    dns_lookup_realm = false',
    '    dns_canonicalize_hostname = false',
    '    rdns = false',
    '    udp_preference_limit = 1',
  ];
  if (kdc) lines.push('[realms]', `    ${realm} = {`, `        kdc = ${kdc}`, '    }');
  lines.push('[domain_realm]', `    ${serviceHost} = ${realm}`, '');
  return lines.join('\n');
}
