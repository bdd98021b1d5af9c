/**
 * The dns and tcp stages: resolve the host, then connect to its addresses in
 * the resolver's order, as OpenSSH does, until one accepts.
 */
import { lookup } from 'node:dns/promises';
import { Socket } from 'node:net';
import { ConnectionFailure } from '../report.js';
import type { StageDetail } from '../../../src-shared/connection-report.js';

type Details = Record<string, StageDetail>;

export async function resolveHost(host: string, details: Details): Promise<string[]> {
  try {
    const results = await lookup(host, { all: true, verbatim: true });
    const addresses = results.map((result) => result.address);
    details.addresses = addresses;
    return addresses;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new ConnectionFailure('DNS', `Cannot resolve ${host} (${code}).`, { host });
  }
}

/** Connects to the first address that accepts; each address gets the whole timeout. */
export async function connectTcp(addresses: string[], port: number, timeoutMs: number, details: Details): Promise<Socket> {
  let last: ConnectionFailure | null = null;
  for (const address of addresses) {
    try {
      const socket = await connectOne(address, port, timeoutMs);
      details.address = address;
      return socket;
    } catch (error) {
      last = error as ConnectionFailure;
    }
  }
  throw last ?? new ConnectionFailure('DNS', 'The host has no addresses.');
}

function connectOne(address: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ConnectionFailure('TIMEOUT', `No answer from ${address} port ${port} within ${timeoutMs} ms.`, { address, port }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(tcpFailure(error, address, port));
    });
    socket.connect({ host: address, port });
  });
}

function tcpFailure(error: NodeJS.ErrnoException, address: string, port: number): ConnectionFailure {
  const where = { address, port };
  switch (error.code) {
    case 'ECONNREFUSED':
      return new ConnectionFailure('REFUSED', `${address} refused the connection on port ${port}.`, where);
    // ICMP errors are active rejections by the network, closer to a refusal than to silence.
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ConnectionFailure('REFUSED', `${address} is unreachable (${error.code}).`, where);
    case 'ETIMEDOUT':
      return new ConnectionFailure('TIMEOUT', `No answer from ${address} port ${port}.`, where);
    default:
      return new ConnectionFailure('INTERNAL', `Cannot connect to ${address} port ${port}: ${error.message}`, where);
  }
}
