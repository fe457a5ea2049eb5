/**
 * Records the browser side of temporal from the real demo in Chromium: `npx tsx examples/temporal/scripts/record-browser-fixture.ts`.
 * Two profiles (alice with two tabs, bob with one) edit one organisation, alice partly offline; each profile's SharedWorker reports its
 * socket frames, its BroadcastChannel fan-out (downstream / snapshot), what it hears on `upstream` and `ack`, and its
 * port messages. Written to protocols/temporal/fixtures/browser-fanout.syncscope.jsonl.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { type FrameInput, Recorder } from '../../../inspector/src/record/recorder.ts';
import { CHROMIUM_FLAGS, findChromium } from '../../../scripts/chromium.mjs';
import { serveDemo } from '../demo/serve.ts';

const fixture = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'protocols',
  'temporal',
  'fixtures',
  'browser-fanout.syncscope.jsonl',
);

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function recordBrowserFixture(out = fixture): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'temporal-browser-'));
  const demo = await serveDemo({ dataDir });
  const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS, headless: true });
  const recorder = new Recorder();
  const collect = (frame: unknown) => recorder.add(frame as FrameInput);
  try {
    const alice = await browser.newContext();
    const bob = await browser.newContext();
    const value = (page: Page, name: string) => page.locator(`input[name="${name}"]`).inputValue();
    const edit = async (page: Page, name: string, text: string) => {
      await page.locator(`input[name="${name}"]`).fill(text);
      await page.locator(`input[name="${name}"]`).press('Tab');
    };
    const tab1 = await alice.newPage();
    await tab1.exposeFunction('__temporalFrame', collect);
    await tab1.goto(`${demo.demoURL}&record=1`);
    await until(async () => (await value(tab1, 'org-name')) === 'Acme', 'alice to load');
    const tab2 = await alice.newPage();
    await tab2.goto(demo.demoURL);
    const other = await bob.newPage();
    await other.exposeFunction('__temporalFrame', collect);
    await other.goto(`${demo.demoURL}&person=bob&record=1`);
    await until(
      async () => (await value(other, 'org-name')) === 'Acme' && (await value(tab2, 'org-name')) === 'Acme',
      'every page to load',
    );
    await edit(tab1, 'org-name', 'Acme Nordic');
    await until(
      async () => (await value(other, 'org-name')) === 'Acme Nordic' && (await value(tab2, 'org-name')) === 'Acme Nordic',
      'the name to spread',
    );
    await edit(other, 'org-city', 'Bergen');
    await until(async () => (await value(tab1, 'org-city')) === 'Bergen', 'the city to spread');
    await edit(tab2, 'person-email', 'alice@acme.example');
    await until(async () => (await value(tab1, 'person-email')) === 'alice@acme.example', 'the email to reach the other tab');
    // Alice's profile goes offline and edits the website while Bob renames: merged when she is back.
    await tab1.locator('#toggle-online').click();
    await until(async () => (await tab1.locator('#connection').textContent()) === 'offline', 'alice to be offline');
    await edit(tab1, 'org-website', 'nordic.example');
    await edit(other, 'org-name', 'Acme Nordic AS');
    await until(async () => (await value(other, 'org-name')) === 'Acme Nordic AS', 'bob to see his own rename');
    await tab1.locator('#toggle-online').click();
    await until(
      async () => (await value(other, 'org-website')) === 'nordic.example' && (await value(tab2, 'org-name')) === 'Acme Nordic AS',
      'both profiles to converge',
    );
    // Let the last acks arrive before the recording ends.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await alice.close();
    await bob.close();
  } finally {
    await browser.close();
    await demo.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const frames = [...recorder.all()].sort((a, b) => a.t - b.t);
  const sorted = new Recorder();
  for (const frame of frames) sorted.add({ ...frame });
  writeFileSync(
    out,
    sorted.toSessionFile({ origin: 'examples/temporal demo in Chromium (two profiles, three tabs)', protocols: ['temporal'] }),
  );
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`wrote ${await recordBrowserFixture()}`);
}
