/**
 * The CLI's panel commands as a user runs them: `syncscope open <file>` serves the recording and the page shows
 * it; `syncscope serve` plus `syncscope proxy --panel` shows a proxied client's traffic live. Real processes,
 * real Chromium, 127.0.0.1 only; every process is stopped with SIGINT and must exit 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS, findChromium } from '../../../scripts/chromium.mjs';

const root = join(import.meta.dirname, '../../..');
const sampleFrames = readFileSync(join(root, 'examples/sessions/sample.syncscope.jsonl'), 'utf8').trimEnd().split('\n').length - 1;
const children: ChildProcess[] = [];
let browser: Browser;
let target: Server;

function syncscope(...args: string[]): { child: ChildProcess; output: (pattern: RegExp) => Promise<RegExpExecArray> } {
  const child = spawn(process.execPath, [join(root, 'inspector/bin/syncscope.mjs'), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let seen = '';
  child.stdout?.on('data', (chunk) => {
    seen += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    seen += chunk;
  });
  const output = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(seen);
        if (match) {
          child.stdout?.off('data', check);
          resolve(match);
        }
      };
      child.stdout?.on('data', check);
      child.once('exit', (code) => reject(new Error(`syncscope ${args[0]} exited with ${code}: ${seen}`)));
      check();
    });
  return { child, output };
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  return exited;
}

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS, headless: true });
  target = createServer((_req, res) => res.end('{"Objects":[],"Tombstones":[],"LatestTS":0}'));
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await browser?.close();
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  target?.close();
});

describe('syncscope open / serve / proxy --panel', () => {
  it('open serves a recording that the page shows, and stops on SIGINT', async () => {
    const { child, output } = syncscope('open', 'examples/sessions/sample.syncscope.jsonl', '--port', '0');
    const [, url] = await output(/syncscope panel: (\S+)/);
    const page = await browser.newPage();
    await page.goto(url as string);
    await expect.poll(() => page.getByTestId('frame-count').textContent(), { timeout: 15_000 }).toBe(`${sampleFrames} frames`);
    await page.close();
    expect(await stop(child)).toBe(0);
  });

  it('open refuses a bad recording with its line number, and a missing one, before serving', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'syncscope-open-')), 'bad.syncscope.jsonl');
    writeFileSync(bad, '{"format":"syncscope-session","version":1,"createdAt":"2026-11-20T09:00:00Z"}\n{"seq":"x"}\n');
    const badRun = syncscope('open', bad, '--port', '0');
    await expect(badRun.output(/never/)).rejects.toThrow(/exited with 1: syncscope: bad\.syncscope\.jsonl:2: not a frame: seq/);
    const missing = syncscope('open', 'examples/sessions/missing.syncscope.jsonl', '--port', '0');
    await expect(missing.output(/never/)).rejects.toThrow(/exited with 1: syncscope: .*ENOENT/);
  });

  it("serve shows a proxied client's traffic live", async () => {
    const serve = syncscope('serve', '--port', '0');
    const [, panelUrl] = await serve.output(/syncscope panel: (\S+)/);
    const [, remoteUrl] = await serve.output(/send to (ws:\S+)/);
    const page = await browser.newPage();
    await page.goto(panelUrl as string);
    const proxy = syncscope(
      'proxy',
      '--listen',
      '127.0.0.1:0',
      '--target',
      `http://127.0.0.1:${(target.address() as AddressInfo).port}`,
      '--panel',
      remoteUrl as string,
    );
    const [, proxyUrl] = await proxy.output(/syncscope proxy: (http:\S+)/);
    const body = await (await fetch(`${proxyUrl}/bootstrap`)).text();
    expect(body).toBe('{"Objects":[],"Tombstones":[],"LatestTS":0}');
    await expect.poll(() => page.getByTestId('frame-count').textContent(), { timeout: 15_000 }).toBe('2 frames');
    await page.close();
    expect(await stop(proxy.child)).toBe(0);
    expect(await stop(serve.child)).toBe(0);
  });
});
