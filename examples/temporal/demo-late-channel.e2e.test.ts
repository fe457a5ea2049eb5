/**
 * A tab that joins the SharedWorker must show the entities even when its entity channels start listening late.
 * Chromium registers a new BroadcastChannel with the browser asynchronously: a snapshot the worker broadcasts in
 * answer to the page's subscribe can reach the browser before the page's channel does and is then lost (measured:
 * a few in 200 such replies under load). The demo's second tab then never showed the person, whose value does not
 * change again (the flake in demo.e2e.test.ts). Here the second tab's entity channels drop the first message they
 * would hear, which is that lost broadcast made deterministic; the worker must answer the subscribe on the port.
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entityChannel } from '../../protocols/temporal/schemas.ts';
import { CHROMIUM_FLAGS, findChromium } from '../../scripts/chromium.mjs';
import { serveDemo } from './demo/serve.ts';
import { tempDir } from './test-helpers.ts';

/** Runs in the page before its scripts: each entity channel misses the first message posted to it. */
function missFirstEntityMessage(prefix: string): void {
  const Native = BroadcastChannel;
  const dropped: string[] = [];
  (window as unknown as { droppedBroadcasts: string[] }).droppedBroadcasts = dropped;
  class LateChannel extends Native {
    constructor(name: string) {
      super(name);
      if (!name.startsWith(prefix)) return;
      let registered = false;
      // Added before the store sets onmessage, so it runs first and can keep the message from it.
      this.addEventListener('message', (event) => {
        if (registered) return;
        registered = true;
        dropped.push(`${name} ${(event.data as { kind?: string })?.kind}`);
        event.stopImmediatePropagation();
      });
    }
  }
  window.BroadcastChannel = LateChannel;
}

describe('temporal demo: a second tab whose channels listen late', () => {
  const data = tempDir();
  let demo: Awaited<ReturnType<typeof serveDemo>>;
  let browser: Browser;

  beforeAll(async () => {
    demo = await serveDemo({ dataDir: data.dir });
    browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    data.remove();
  });

  const field = (page: Page, name: string) => page.locator(`input[name="${name}"]`);

  it('still shows the person and the org that the worker already holds', async () => {
    const alice = await browser.newContext();
    try {
      const tab1 = await alice.newPage();
      await tab1.goto(demo.demoURL);
      await expect.poll(() => field(tab1, 'person-name').inputValue(), { timeout: 20_000 }).toBe('Alice');
      await expect.poll(() => field(tab1, 'org-name').inputValue(), { timeout: 20_000 }).toBe('Acme');

      const tab2 = await alice.newPage();
      await tab2.addInitScript(missFirstEntityMessage, entityChannel(''));
      await tab2.goto(demo.demoURL);
      await expect.poll(() => field(tab2, 'person-name').inputValue(), { timeout: 10_000 }).toBe('Alice');
      await expect.poll(() => field(tab2, 'org-name').inputValue(), { timeout: 10_000 }).toBe('Acme');
      // The channels did miss the worker's broadcast snapshots: the values came over the port.
      const dropped = await tab2.evaluate(() => (window as unknown as { droppedBroadcasts: string[] }).droppedBroadcasts);
      expect(dropped).toEqual(expect.arrayContaining([`${entityChannel('alice')} snapshot`, `${entityChannel('acme')} snapshot`]));
    } finally {
      await alice.close();
    }
  });

  it('shows a person the worker is still creating when the second tab joins', async () => {
    // A fresh profile (its own SharedWorker) and a person the server does not have: both tabs load at once, so
    // tab2 subscribes while the worker's post is in flight or just answered; either way its first value arrives.
    const carol = await browser.newContext();
    try {
      const [tab1, tab2] = [await carol.newPage(), await carol.newPage()];
      await tab2.addInitScript(missFirstEntityMessage, entityChannel(''));
      const url = `${demo.demoURL}&person=carol&org=carol-co`;
      await Promise.all([tab1.goto(url), tab2.goto(url)]);
      for (const page of [tab1, tab2]) {
        await expect.poll(() => field(page, 'person-name').inputValue(), { timeout: 10_000 }).toBe('Carol');
        await expect.poll(() => field(page, 'org-name').inputValue(), { timeout: 10_000 }).toBe('Acme');
      }
    } finally {
      await carol.close();
    }
  });
});
