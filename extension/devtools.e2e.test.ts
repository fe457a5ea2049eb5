/**
 * One smoke test of the REAL DevTools panel (it leans on DevTools internals, so only one): Chromium opens DevTools
 * for the app's tab, the "syncscope" panel is selected through DevTools' own InspectorView, and the panel inside
 * DevTools shows the app's frames. Talks raw CDP to the browser endpoint (../shared/research/extension-stack.md).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CHROMIUM_FLAGS, findChromium } from '../scripts/chromium.mjs';
import { startTestApp } from './test/app.ts';
import { buildExtension } from './test/build.ts';

const SHOTS = '/tmp/panel-shots';
let app: Awaited<ReturnType<typeof startTestApp>>;
let profile: string;
let context: BrowserContext;
let cdp: Cdp;

/** A minimal CDP client over the browser's WebSocket endpoint (flattened sessions). */
class Cdp {
  private id = 0;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result);
    });
  }
  static async connect(url: string): Promise<Cdp> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new Cdp(ws);
  }
  send(method: string, params: object = {}, sessionId?: string): Promise<any> {
    const id = ++this.id;
    this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }
  async evaluate(sessionId: string, expression: string): Promise<any> {
    const result = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId);
    if (result.exceptionDetails) throw new Error(result.exceptionDetails.exception?.description ?? 'evaluation failed');
    return result.result.value;
  }
  close() {
    this.ws.close();
  }
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const dir = await buildExtension('chrome');
  app = await startTestApp();
  profile = mkdtempSync(join(tmpdir(), 'syncscope-devtools-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: findChromium(),
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      ...CHROMIUM_FLAGS,
      `--disable-extensions-except=${dir}`,
      `--load-extension=${dir}`,
      '--auto-open-devtools-for-tabs',
      '--remote-debugging-port=0',
    ],
  });
  const [port, path] = readFileSync(join(profile, 'DevToolsActivePort'), 'utf8').trim().split('\n');
  cdp = await Cdp.connect(`ws://127.0.0.1:${port}${path}`);
});

afterAll(async () => {
  cdp?.close();
  await context?.close();
  await app?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Retries while DevTools is still starting (its modules throw until its settings exist). */
async function waitFor<T>(what: string, find: () => Promise<T | undefined>): Promise<T> {
  let last = '';
  for (let attempt = 0; attempt < 150; attempt++) {
    try {
      const found = await find();
      if (found !== undefined) return found;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
}

describe('the real DevTools panel', () => {
  it('is created by the devtools page and shows the inspected tab frames', async () => {
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    const extensionId = new URL(worker.url()).host;
    const page = await context.newPage();
    await page.goto(app.url);
    await page.evaluate(() => (window as unknown as { app: { ready: Promise<unknown> } }).app.ready);
    // Only the app's tab (and so only its DevTools window) stays open.
    for (const other of context.pages()) if (other !== page) await other.close();

    const targets = () =>
      cdp.send('Target.getTargets').then((r) => r.targetInfos as Array<{ targetId: string; url: string; type: string }>);
    const devtools = await waitFor('the DevTools window of the app tab', async () => {
      const windows = (await targets()).filter((t) => t.url.startsWith('devtools://devtools/bundled/devtools_app.html'));
      return windows.length === 1 ? windows[0] : undefined;
    });
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: devtools.targetId, flatten: true });
    // The extension panel registers asynchronously; showPanel succeeds once it exists.
    await waitFor('the syncscope panel to register', async () => {
      const shown = await cdp.evaluate(
        sessionId,
        `(async () => { const legacy = await import('devtools://devtools/bundled/ui/legacy/legacy.js');
           const view = legacy.InspectorView.InspectorView.instance();
           const id = 'chrome-extension://${extensionId}syncscope';
           if (!view.hasPanel(id)) return false;
           await view.showPanel(id); return true; })()`,
      );
      return shown ? true : undefined;
    });
    const panelTarget = await waitFor('the panel frame', async () =>
      (await targets()).find((t) => t.url.includes(`${extensionId}/devtools-panel.html`)),
    );
    const { sessionId: panelSession } = await cdp.send('Target.attachToTarget', { targetId: panelTarget.targetId, flatten: true });

    // The panel inspects the app's tab (DevTools gives it the tab id); the app's traffic must reach it.
    const inspectedTab: number = await waitFor('the panel script', () => cdp.evaluate(panelSession, 'globalThis.syncscope?.tabId'));
    expect(Number.isInteger(inspectedTab)).toBe(true);
    for (const p of context.pages()) {
      if (p.url().startsWith(app.url))
        await p.evaluate(() => (window as unknown as { app: { send(v: unknown): void } }).app.send({ type: 'from-devtools-test' }));
    }
    const count = await waitFor('frames in the DevTools panel', async () => {
      const text: string | null = await cdp.evaluate(
        panelSession,
        `document.querySelector('[data-testid=frame-count]')?.textContent ?? null`,
      );
      const n = Number.parseInt(text ?? '', 10);
      return n >= 2 ? n : undefined;
    });
    expect(count).toBeGreaterThanOrEqual(2);
    const shot = await cdp.send('Page.captureScreenshot', { format: 'png' }, sessionId);
    writeFileSync(`${SHOTS}/devtools-panel.png`, Buffer.from(shot.data, 'base64'));
    await page.close();
  });
});
