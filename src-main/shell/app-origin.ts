/**
 * The one origin the renderer runs in, and what pages from it may load.
 *
 * Pure: no Electron import, so unit tests and the protocol handler share it.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'strongroom';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Sent as a header on every app:// response. The renderer loads only its own
 * bundled files: no inline script or style, no eval, no network, no plugins,
 * and no page may frame it. `img-src data:` is for icons inlined by the build.
 * Do not relax.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * True when `url` is on the app origin.
 *
 * Compares scheme and host rather than `URL.origin`, which the WHATWG parser
 * reports as "null" for schemes it does not know.
 */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}
