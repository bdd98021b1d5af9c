/**
 * Logs in with the system OpenSSH client, for what ssh2 cannot do: user
 * certificates and GSSAPI (see docs/ssh-testing.md).
 *
 * The client trusts exactly the host key our own handshake verified moments
 * before: a known_hosts file holding only that key, host key algorithms
 * limited to its type, and strict checking. A server that shows the client a
 * different key fails closed. No user or system configuration, agent or
 * prompt is involved: `-F /dev/null`, IdentityAgent=none, BatchMode=yes.
 *
 * ssh runs once, authenticating and then running `whoami`; its verbose log
 * tells when authentication succeeded, which splits the run into the auth
 * and probe stages.
 */
import { ConnectionFailure } from '../report.js';
import { hostKeyAlgorithmsFor, knownHostsLine, type SeenHostKey } from './known-hosts.js';
import type { PrivateDir } from './private-dir.js';
import { runTool, toolEnv, type ToolRun } from '../tool.js';

export type OpenSshAuth =
  | { kind: 'certificate'; keyPath: string; certificatePath: string }
  /** `env` carries KRB5_CONFIG and KRB5CCNAME of a cache holding the user's TGT. */
  | { kind: 'gssapi'; env: Record<string, string> };

export interface OpenSshOptions {
  dir: PrivateDir;
  host: string;
  port: number;
  username: string;
  /** The key our handshake verified; the only one the client will accept. */
  hostKey: SeenHostKey;
  auth: OpenSshAuth;
  timeoutMs: number;
}

export interface OpenSshLogin {
  /** Resolves when ssh reports it has authenticated; rejects with a typed failure when ssh ends first. */
  authenticated: Promise<{ method: string; offered: string[] }>;
  /** Resolves when ssh has ended after authenticating, with the probe's status and output. */
  finished: Promise<ToolRun>;
}

export const PROBE_COMMAND = 'whoami';

export async function startOpenSshLogin(options: OpenSshOptions): Promise<OpenSshLogin> {
  const { dir, host, port, hostKey, auth } = options;
  // ssh looks host names up in known_hosts in lower case.
  const knownHostsPath = await dir.write('known_hosts', knownHostsLine(host.toLowerCase(), port, hostKey));
  const args = [
    '-F', '/dev/null',
    '-v',
    '-T', '-x', '-a',
    '-p', String(port),
    '-l', options.username,
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${knownHostsPath}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', `HostKeyAlgorithms=${hostKeyAlgorithmsFor(hostKey.keyType).join(',')}`,
    '-o', 'CheckHostIP=no',
    '-o', 'UpdateHostKeys=no',
    '-o', `ConnectTimeout=${Math.max(1, Math.ceil(options.timeoutMs / 1000))}`,
    '-o', 'IdentityAgent=none',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'ControlMaster=no',
    '-o', 'ControlPath=none',
    '-o', 'ClearAllForwardings=yes',
    '-o', 'PasswordAuthentication=no',
    '-o', 'KbdInteractiveAuthentication=no',
  ];
  if (auth.kind === 'certificate') {
    args.push(
      '-i', auth.keyPath,
      '-o', `CertificateFile=${auth.certificatePath}`,
      '-o', 'PubkeyAuthentication=yes',
      '-o', 'GSSAPIAuthentication=no',
      '-o', 'PreferredAuthentications=publickey',
    );
  } else {
    args.push(
      '-o', 'GSSAPIAuthentication=yes',
      '-o', 'GSSAPIDelegateCredentials=no',
      '-o', 'PubkeyAuthentication=no',
      '-o', 'PreferredAuthentications=gssapi-with-mic',
    );
  }
  args.push('--', host, PROBE_COMMAND);

  let offered: string[] = [];
  let authenticated = false;
  let onAuthenticated: (value: { method: string; offered: string[] }) => void = () => undefined;
  let onAuthFailed: (error: unknown) => void = () => undefined;
  const authPromise = new Promise<{ method: string; offered: string[] }>((resolve, reject) => {
    onAuthenticated = resolve;
    onAuthFailed = reject;
  });

  const finished = runTool('ssh', args, {
    env: toolEnv(dir.path, auth.kind === 'gssapi' ? auth.env : {}),
    timeoutMs: options.timeoutMs,
    onStderrLine(line) {
      const methods = /^debug1: Authentications that can continue: (\S+)/.exec(line);
      if (methods && offered.length === 0) offered = methods[1]!.split(',');
      const success = /^Authenticated to .* using "([^"]+)"/.exec(line);
      if (success && !authenticated) {
        authenticated = true;
        onAuthenticated({ method: success[1]!, offered });
      }
    },
  });
  finished.then(
    (run) => {
      if (!authenticated) onAuthFailed(openSshFailure(run, auth.kind));
    },
    (error: unknown) => onAuthFailed(error instanceof ConnectionFailure ? error : new ConnectionFailure('INTERNAL', `Cannot run the system ssh client: ${(error as Error).message}`)),
  );
  // A caller that fails before awaiting the login must not leave an unhandled rejection behind.
  authPromise.catch(() => undefined);
  return { authenticated: authPromise, finished };
}

/** Turns what ssh said before giving up into a typed failure. */
export function openSshFailure(run: ToolRun, kind: OpenSshAuth['kind']): ConnectionFailure {
  if (run.timedOut) return new ConnectionFailure('TIMEOUT', 'The system ssh client got no answer in time.');
  const text = run.stderr;
  const denied = /Permission denied \(([^)]*)\)/.exec(text);
  const allowed = denied ? denied[1]!.split(',') : [];
  if (/Could not resolve hostname/.test(text)) return new ConnectionFailure('DNS', lastMessage(text));
  if (/Connection refused/.test(text)) return new ConnectionFailure('REFUSED', lastMessage(text));
  if (/timed out/i.test(text)) return new ConnectionFailure('TIMEOUT', lastMessage(text));
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/.test(text)) {
    return new ConnectionFailure('HOST_KEY_CHANGED', 'The host showed the system ssh client a different key than the one verified moments before; the test stopped.');
  }
  const principal = /Server (\S+) not found in Kerberos database/.exec(text);
  if (principal) {
    return new ConnectionFailure('NO_SERVICE_PRINCIPAL', `The KDC has no service principal ${principal[1]} for this host.`, { servicePrincipal: principal[1]! });
  }
  if (/Clock skew too great/.test(text)) return new ConnectionFailure('CLOCK_SKEW', 'The clocks of this machine and the host or KDC differ too much for Kerberos.');
  if (denied) {
    const what = kind === 'certificate' ? 'the certificate (is its CA in the server\'s TrustedUserCAKeys?)' : 'the Kerberos ticket (does the principal map to this user?)';
    return new ConnectionFailure('AUTH_REJECTED', `The server did not accept ${what}. It allows: ${allowed.join(', ')}.`, { allowed });
  }
  return new ConnectionFailure('INTERNAL', `The system ssh client failed: ${lastMessage(text)}`);
}

/** The last line ssh wrote that is not debug chatter. */
function lastMessage(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('debug') && !line.startsWith('OpenSSH_'));
  return lines.at(-1) ?? 'no message';
}
