/**
 * Who is at the other end of a session connection, on Linux: the session
 * serves only processes of its own user, checked by the kernel's record of
 * the connection, not only by who can reach the socket file.
 *
 * Node exposes neither SO_PEERCRED nor getpeereid, so the same fact is read
 * from what the kernel publishes:
 * 1. the accepted socket's inode (`/proc/self/fd/N` reads `socket:[inode]`);
 * 2. the inode of the socket at the other end, from the kernel's socket
 *    diagnostics as `ss -x` (iproute2) prints them;
 * 3. the process the client names in its hello must hold that peer socket
 *    (`/proc/<pid>/fd`), and its effective uid (`/proc/<pid>/status`) must be
 *    ours. A process of another user cannot pass by naming one of ours: it
 *    does not hold the peer end of this connection, and an unprivileged
 *    agent cannot even read another user's `/proc/<pid>/fd`.
 *
 * Where this cannot be read (macOS, Windows, no `ss`, no /proc) the verdict
 * is `unavailable` and the session relies on what it has everywhere: the
 * 0600 socket in the 0700 data folder and the 0600 token beside it.
 */
import { execFile } from 'node:child_process';
import { readFile, readdir, readlink } from 'node:fs/promises';
import type { Socket } from 'node:net';

export type PeerVerdict =
  | { kind: 'same-user'; pid: number }
  | { kind: 'refused'; reason: string }
  | { kind: 'unavailable'; reason: string };

const SOCKET_LINK = /^socket:\[(\d+)\]$/;
/** Where iproute2 puts `ss` (/usr/bin on Debian, /usr/sbin on Fedora), whatever the user's PATH leaves out. */
const SS_PATH = [process.env.PATH, '/usr/bin', '/usr/sbin', '/bin', '/sbin'].filter(Boolean).join(':');

/** The fd of an accepted Unix socket; Node keeps it on the handle (not a public API, hence the guard). */
function descriptorOf(socket: Socket): number | null {
  const handle: unknown = '_handle' in socket ? socket._handle : undefined;
  const fd = typeof handle === 'object' && handle !== null && 'fd' in handle ? handle.fd : undefined;
  return typeof fd === 'number' && fd >= 0 ? fd : null;
}

async function socketInode(path: string): Promise<string | null> {
  try {
    return SOCKET_LINK.exec(await readlink(path))?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Every connected Unix socket as `ss -x` lists it: local inode → peer inode (the last column; the third last is the local one). */
function unixPeers(): Promise<Map<string, string> | { unavailable: string }> {
  return new Promise((resolve) => {
    execFile('ss', ['-x', '-H', '-n'], { timeout: 5000, maxBuffer: 16 * 1024 * 1024, env: { PATH: SS_PATH, LC_ALL: 'C' } }, (error, stdout) => {
      if (error) {
        resolve({ unavailable: (error as NodeJS.ErrnoException).code === 'ENOENT' ? '`ss` (iproute2) is not installed' : `ss failed: ${error.message}` });
        return;
      }
      const peers = new Map<string, string>();
      for (const line of stdout.split('\n')) {
        const columns = line.trim().split(/\s+/);
        if (columns.length >= 4) peers.set(columns[columns.length - 3]!, columns[columns.length - 1]!);
      }
      resolve(peers);
    });
  });
}

async function holdsSocket(pid: number, inode: string): Promise<boolean | 'unreadable'> {
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return 'unreadable';
  }
  for (const fd of fds) if ((await socketInode(`/proc/${pid}/fd/${fd}`)) === inode) return true;
  return false;
}

async function effectiveUid(pid: number): Promise<number | null> {
  try {
    const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return uids ? Number(uids[2]) : null;
  } catch {
    return null;
  }
}

/**
 * Starts reading the peer of an accepted connection at once (the client is
 * still reading its token meanwhile); `verify` then checks the pid its hello
 * names.
 */
export function peerOf(socket: Socket): { verify(claimedPid: number): Promise<PeerVerdict> } {
  const fd = process.platform === 'linux' ? descriptorOf(socket) : null;
  const peerInode: Promise<string | null | { unavailable: string }> =
    fd === null
      ? Promise.resolve({ unavailable: `peer credentials are not readable on ${process.platform}` })
      : (async () => {
          const local = await socketInode(`/proc/self/fd/${fd}`);
          if (local === null) return { unavailable: '/proc does not show the socket' };
          const peers = await unixPeers();
          if (!(peers instanceof Map)) return peers;
          return peers.get(local) ?? null;
        })();

  return {
    async verify(claimedPid) {
      const peer = await peerInode;
      if (peer !== null && typeof peer === 'object') return { kind: 'unavailable', reason: peer.unavailable };
      if (peer === null) return { kind: 'refused', reason: 'The connection has no peer the kernel can name.' };
      const held = await holdsSocket(claimedPid, peer);
      if (held === 'unreadable') return { kind: 'refused', reason: `Process ${claimedPid} is not one of this user's.` };
      if (!held) return { kind: 'refused', reason: `Process ${claimedPid} is not the one at the other end of this connection.` };
      const uid = await effectiveUid(claimedPid);
      if (uid === null || uid !== process.geteuid?.()) return { kind: 'refused', reason: `The connecting process runs as uid ${uid ?? 'unknown'}, not as the session's user.` };
      return { kind: 'same-user', pid: claimedPid };
    },
  };
}
