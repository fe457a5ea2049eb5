/**
 * The demo in real Chromium against a real server: two tabs of one profile share the SharedWorker, a second
 * profile (another browser context, another person) has its own; an edit in any of them reaches the others.
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS, findChromium } from '../../scripts/chromium.mjs';
import { serveDemo } from './demo/serve.ts';
import { tempDir } from './test-helpers.ts';

describe('temporal demo in Chromium', () => {
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
  const edit = async (page: Page, name: string, value: string) => {
    await field(page, name).fill(value);
    await field(page, name).press('Tab'); // `change` fires on blur
  };

  it('keeps two tabs and a second profile in sync through the SharedWorker', async () => {
    const alice = await browser.newContext();
    const bob = await browser.newContext();
    const tab1 = await alice.newPage();
    const tab2 = await alice.newPage();
    const other = await bob.newPage();
    const errors: string[] = [];
    for (const page of [tab1, tab2, other]) page.on('pageerror', (error) => errors.push(error.message));
    await tab1.goto(demo.demoURL);
    await expect.poll(() => field(tab1, 'org-name').inputValue(), { timeout: 20_000 }).toBe('Acme');
    await tab2.goto(demo.demoURL);
    await other.goto(`${demo.demoURL}&person=bob`);
    for (const page of [tab2, other]) await expect.poll(() => field(page, 'org-name').inputValue(), { timeout: 20_000 }).toBe('Acme');
    await expect.poll(() => tab1.locator('#connection').textContent(), { timeout: 10_000 }).toBe('online');

    await edit(tab1, 'org-name', 'Acme Nordic');
    await expect.poll(() => field(tab2, 'org-name').inputValue(), { timeout: 10_000 }).toBe('Acme Nordic');
    await expect.poll(() => field(other, 'org-name').inputValue(), { timeout: 10_000 }).toBe('Acme Nordic');

    await edit(other, 'org-city', 'Bergen');
    await expect.poll(() => field(tab1, 'org-city').inputValue(), { timeout: 10_000 }).toBe('Bergen');
    await expect.poll(() => tab2.locator('#org-meta').textContent(), { timeout: 10_000 }).toContain('by bob');

    // Only once the person has loaded in tab2: an edit typed before would be overwritten by the load.
    await expect.poll(() => field(tab2, 'person-name').inputValue(), { timeout: 10_000 }).toBe('Alice');
    await edit(tab2, 'person-name', 'Alice A.');
    await expect.poll(() => field(tab1, 'person-name').inputValue(), { timeout: 10_000 }).toBe('Alice A.');
    expect(await field(other, 'person-name').inputValue()).toBe('Bob');

    // Alice's profile goes offline (both tabs share the worker) and edits; Bob edits meanwhile; they converge.
    await tab1.locator('#toggle-online').click();
    await expect.poll(() => tab2.locator('#connection').textContent(), { timeout: 10_000 }).toBe('offline');
    await edit(tab1, 'org-website', 'nordic.example');
    await expect.poll(() => tab1.locator('#pending').textContent(), { timeout: 10_000 }).toContain('1 change');
    await edit(other, 'org-name', 'Acme Nordic AS');
    await expect.poll(() => field(tab2, 'org-website').inputValue(), { timeout: 10_000 }).toBe('nordic.example');
    expect(await field(other, 'org-website').inputValue()).toBe('acme.example');
    await tab1.locator('#toggle-online').click();
    for (const page of [tab1, tab2, other]) {
      await expect.poll(() => field(page, 'org-website').inputValue(), { timeout: 15_000 }).toBe('nordic.example');
      await expect.poll(() => field(page, 'org-name').inputValue(), { timeout: 15_000 }).toBe('Acme Nordic AS');
      await expect.poll(() => field(page, 'org-city').inputValue(), { timeout: 15_000 }).toBe('Bergen');
    }

    await tab1.screenshot({ path: '/tmp/temporal-demo.png' });
    expect(errors).toEqual([]);
    await alice.close();
    await bob.close();
  });
});
