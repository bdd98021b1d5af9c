/**
 * Serves the built renderer on app://strongroom/.
 *
 * Pure of Electron: main.ts hands the returned function to `protocol.handle`,
 * and unit tests call it with plain fetch `Request`s.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY } from './app-origin.js';

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** The MIME type the app serves a file name with. */
export function mimeTypeFor(fileName: string): string {
  return MIME_TYPES[path.extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

/** Headers on every response, errors included, so no app:// page ever lacks the CSP. */
function securityHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    // Without nosniff Chromium may treat a mistyped file as script.
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    // Every file ships with the app; a stale cache across upgrades helps no one.
    'Cache-Control': 'no-cache',
  };
}

function errorResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: securityHeaders('text/plain; charset=utf-8') });
}

/**
 * The file under `rootDir` that `requestUrl` names, or null when it names
 * none: another host, an undecodable or NUL-bearing path, a backslash, or a
 * `..` segment. Chromium and the URL parser already fold plain and %2e dot
 * segments; this also catches `..%2f`, which they leave encoded, and checks
 * the resolved path stays inside the root whatever slipped past.
 */
export function resolveAppPath(rootDir: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;

  let relative: string;
  try {
    relative = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (relative.includes('\0') || relative.includes('\\')) return null;
  const segments = relative.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '..' || segment === '.')) return null;
  if (segments.length === 0) segments.push('index.html');

  const root = path.resolve(rootDir);
  const resolved = path.resolve(root, ...segments);
  return resolved.startsWith(root + path.sep) ? resolved : null;
}

/** A `protocol.handle` handler serving the files under `rootDir` read-only. */
export function createAppProtocolHandler(rootDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return errorResponse(405, 'Method not allowed');
    const filePath = resolveAppPath(rootDir, request.url);
    if (filePath === null) return errorResponse(404, 'Not found');

    let body: Buffer;
    try {
      body = await readFile(filePath);
    } catch {
      // Missing files and directories alike: the renderer has no listing to see.
      return errorResponse(404, 'Not found');
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: securityHeaders(mimeTypeFor(filePath)),
    });
  };
}
