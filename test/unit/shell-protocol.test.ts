// The app:// handler serves only files under dist/renderer, with correct
// types and the CSP on every response, whatever path a page asks for.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src-main/shell/app-origin.js';
import { createAppProtocolHandler, mimeTypeFor, resolveAppPath } from '../../src-main/shell/app-protocol.js';

const OUTSIDE_SECRET = 'outside-the-renderer-folder';

let base: string;
let root: string;
let handle: (request: Request) => Promise<Response>;

beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), 'strongroom-protocol-'));
  root = path.join(base, 'dist', 'renderer');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Strongroom</title>');
  writeFileSync(path.join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(path.join(root, 'assets', 'index-abc.css'), 'body{}');
  writeFileSync(path.join(root, 'assets', 'blob.bin'), 'x');
  writeFileSync(path.join(base, 'secret.txt'), OUTSIDE_SECRET);
  writeFileSync(path.join(base, 'dist', 'secret.txt'), OUTSIDE_SECRET);
  handle = createAppProtocolHandler(root);
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

const get = (url: string, init?: RequestInit) => handle(new Request(url, init));

describe('app:// protocol handler', () => {
  it('serves index.html for the root, with the CSP header', async () => {
    for (const url of ['app://strongroom/', 'app://strongroom/index.html']) {
      const response = await get(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await response.text()).toContain('<title>Strongroom</title>');
    }
  });

  it('serves scripts and styles with their MIME types', async () => {
    const script = await get('app://strongroom/assets/index-abc.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log(1)');
    const style = await get('app://strongroom/assets/index-abc.css');
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const other = await get('app://strongroom/assets/blob.bin');
    expect(other.headers.get('content-type')).toBe('application/octet-stream');
  });

  it('knows the types a Vite build emits', () => {
    expect(mimeTypeFor('a.svg')).toBe('image/svg+xml');
    expect(mimeTypeFor('a.woff2')).toBe('font/woff2');
    expect(mimeTypeFor('a.PNG')).toBe('image/png');
    expect(mimeTypeFor('a.json')).toBe('application/json; charset=utf-8');
    expect(mimeTypeFor('noextension')).toBe('application/octet-stream');
  });

  it.each([
    'app://strongroom/../../etc/passwd',
    'app://strongroom/../secret.txt',
    'app://strongroom/%2e%2e/secret.txt',
    'app://strongroom/%2E%2E/%2e%2e/secret.txt',
    'app://strongroom/..%2fsecret.txt',
    'app://strongroom/..%2f..%2fsecret.txt',
    'app://strongroom/assets/..%2f..%2fsecret.txt',
    'app://strongroom/%2e%2e%2fsecret.txt',
    'app://strongroom/..%5csecret.txt',
    'app://strongroom/..\\secret.txt',
    'app://strongroom/index.html%00.js',
    'app://strongroom/%252e%252e%252fsecret.txt',
    'app://strongroom/%E0%A4%A',
  ])('never serves a file outside the renderer folder: %s', async (url) => {
    const response = await get(url);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await response.text()).not.toContain(OUTSIDE_SECRET);
  });

  it('rejects traversal before touching the file system', () => {
    expect(resolveAppPath(root, 'app://strongroom/..%2f..%2fsecret.txt')).toBeNull();
    expect(resolveAppPath(root, 'app://strongroom/a/..%5c..%5csecret.txt')).toBeNull();
    expect(resolveAppPath(root, 'app://strongroom/a%00b')).toBeNull();
    expect(resolveAppPath(root, 'app://strongroom/.%2fsecret.txt')).toBeNull();
    expect(resolveAppPath(root, 'app://strongroom/assets/index-abc.js')).toBe(path.join(root, 'assets', 'index-abc.js'));
  });

  it('serves no other host', async () => {
    expect(resolveAppPath(root, 'app://evil/index.html')).toBeNull();
    expect(resolveAppPath(root, 'file:///index.html')).toBeNull();
    expect((await get('app://evil/index.html')).status).toBe(404);
  });

  it('answers 404 for missing files and directories, still with the CSP', async () => {
    for (const url of ['app://strongroom/missing.js', 'app://strongroom/assets', 'app://strongroom/assets/']) {
      const response = await get(url);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('is read-only', async () => {
    const response = await get('app://strongroom/index.html', { method: 'POST', body: 'x' });
    expect(response.status).toBe(405);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('answers HEAD without a body', async () => {
    const response = await get('app://strongroom/index.html', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toBe('');
  });
});
