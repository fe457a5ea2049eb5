/**
 * The unpacked extension in a real Chromium, for the e2e tests: build it, launch a persistent context with it
 * loaded, open pages (learning each one's tab id) and open the panel page for a tab.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page, type Worker } from 'playwright-core';
import { expect } from 'vitest';
import { CHROMIUM_FLAGS, findChromium } from '../../scripts/chromium.mjs';
import { buildExtension } from './build.ts';

/** Polls generously: two-core CI machines run several browsers at once. */
export const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });

export interface ExtensionBrowser {
  context: BrowserContext;
  /** The extension's background service worker. */
  worker: Worker;
  extensionId: string;
  /** Every tab id the browser has now. */
  tabIds(): Promise<number[]>;
  /** Opens `url` in a new tab; its tab id is the one that was not there before (tab URLs need a permission we do not ask). */
  openTab(url: string, ready?: (page: Page) => Promise<unknown>): Promise<{ page: Page; tabId: number }>;
  /** Opens the panel page for a tab and waits until it is connected to the background. */
  openPanel(tabId: number, theme?: 'light' | 'dark'): Promise<Page>;
  close(): Promise<void>;
}

export async function launchExtension(): Promise<ExtensionBrowser> {
  const dir = await buildExtension('chrome');
  const profile = mkdtempSync(join(tmpdir(), 'syncscope-ext-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: findChromium(),
      headless: true,
      viewport: { width: 1280, height: 720 },
      args: [...CHROMIUM_FLAGS, `--disable-extensions-except=${dir}`, `--load-extension=${dir}`],
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const ctx = context;
  const worker = ctx.serviceWorkers()[0] ?? (await ctx.waitForEvent('serviceworker'));
  const extensionId = new URL(worker.url()).host;

  const tabIds = () =>
    worker.evaluate(async () => {
      const chrome = (globalThis as unknown as { chrome: { tabs: { query(q: object): Promise<Array<{ id: number }>> } } }).chrome;
      return (await chrome.tabs.query({})).map((t) => t.id);
    });

  return {
    context: ctx,
    worker,
    extensionId,
    tabIds,
    async openTab(url, ready) {
      const known = new Set(await tabIds());
      const page = await ctx.newPage();
      await page.goto(url);
      if (ready) await ready(page);
      const fresh = (await tabIds()).filter((id) => !known.has(id));
      if (fresh.length !== 1) throw new Error(`expected one new tab, found ${fresh.length}`);
      return { page, tabId: fresh[0] as number };
    },
    async openPanel(tabId, theme = 'light') {
      const panel = await ctx.newPage();
      await panel.goto(`chrome-extension://${extensionId}/devtools-panel.html?tabId=${tabId}&theme=${theme}`);
      // A wait, not expect.poll: panels are opened in beforeAll hooks too.
      await panel.locator('.badge', { hasText: 'connected' }).waitFor({ timeout: 15_000 });
      return panel;
    },
    async close() {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The test app's readiness (its socket is open): pass as `openTab(url, appReady)`. */
export const appReady = (page: Page) => page.evaluate(() => (window as unknown as { app: { ready: Promise<unknown> } }).app.ready);

/** Sends a JSON value on the test app's socket. */
export const sendOnAppSocket = (page: Page, value: unknown) =>
  page.evaluate((v) => (window as unknown as { app: { send(v: unknown): void } }).app.send(v), value);

/** The panel's frame counter. */
export const frameCount = async (panel: Page) => Number.parseInt((await panel.getByTestId('frame-count').textContent()) ?? '', 10);
