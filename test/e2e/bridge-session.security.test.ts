/**
 * The bridge session in a real Chromium: the launch code works once, the page
 * secret leaves the address bar at once and survives a reload, and the
 * session cookie, which Chromium does send to any other server on 127.0.0.1
 * (cookies ignore ports), cannot open a socket on its own.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { handshakeHeaders, openSocket } from '../support/bridge-wire.js';
import { tempDir } from '../support/core-harness.js';
import { describeNeeding } from '../fixtures/system-tools.js';
import { launchBrowser, startBridge, tearDown, type RunningBridge } from './bridge-harness.js';

describeNeeding(['chromium'], 'bridge session in Chromium', () => {
  const dir = tempDir('strongroom-session-e2e-');
  let bridge: RunningBridge;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let otherServer: Server;
  const cookiesSeenElsewhere: string[] = [];

  beforeAll(async () => {
    bridge = await startBridge(dir.path);
    browser = await launchBrowser();
    context = await browser.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    // Another local web server, as any user or program on the machine may run.
    otherServer = createServer((request, response) => {
      cookiesSeenElsewhere.push(request.headers.cookie ?? '');
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<!doctype html><title>elsewhere</title>');
    });
    await new Promise<void>((resolve) => otherServer.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() =>
    tearDown(
      () => context?.close(),
      () => browser?.close(),
      () => bridge?.stop(),
      () => new Promise((resolve) => otherServer?.close(resolve)),
      () => dir.remove(),
    ),
  );

  it('opens the app once per launch URL and keeps the page secret out of the address bar', async () => {
    const launchUrl = await bridge.launchUrl();
    await page.goto(launchUrl);
    await page.getByRole('heading', { name: 'Create your store' }).waitFor();
    expect(page.url()).toBe(`${bridge.origin}/`);

    const again = await context.newPage();
    const reply = await again.goto(launchUrl);
    expect(reply?.status()).toBe(403);
    await again.close();
  });

  it('keeps the session across a reload of the page', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Create your store' }).waitFor();
  });

  it('a cookie leaked to another port opens no socket', async () => {
    const elsewhere = await context.newPage();
    const port = (otherServer.address() as AddressInfo).port;
    await elsewhere.goto(`http://127.0.0.1:${port}/`);
    const leaked = cookiesSeenElsewhere.map((header) => header.split('; ').find((cookie) => cookie.startsWith(`strongroom_session_${new URL(bridge.origin).port}=`))).find(Boolean);
    // Chromium did hand the cookie to the other server: the leak is real.
    expect(leaked).toBeDefined();
    // The page secret lives in the bridge origin's sessionStorage, which the other port cannot read.
    expect(await elsewhere.evaluate(() => sessionStorage.length)).toBe(0);
    await elsewhere.close();

    const bridgePort = Number(new URL(bridge.origin).port);
    const withLeakedCookie = { port: bridgePort, origin: bridge.origin, cookie: leaked!, pageSecret: 'not-the-page-secret' };
    await expect(openSocket(bridgePort, handshakeHeaders(withLeakedCookie))).rejects.toThrow('403');
    await expect(openSocket(bridgePort, handshakeHeaders(withLeakedCookie, { 'Sec-WebSocket-Protocol': 'strongroom.v1' }))).rejects.toThrow('403');
    // The page that holds the secret still works.
    await page.reload();
    await page.getByRole('heading', { name: 'Create your store' }).waitFor();
  });
});
