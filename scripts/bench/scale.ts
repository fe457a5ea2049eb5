/**
 * Scale in real Chromium with the standalone panel: 1,000,000 frames of the engines' recorded traffic, loaded from
 * a session file, then filtered, time-travelled and scrolled; JS heap per frame beyond the payload strings.
 * Goals (issue 11): load < 15 s, filter < 300 ms, jump < 100 ms, scrolling at 60 fps, < 600 bytes per frame.
 * For contrast, what the tools people use keep: Firefox's WebSocket inspector shows 500 messages, Socket.IO Admin UI
 * keeps 1,000 events, Redux DevTools keeps 50 actions by default.
 */
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawFrame } from '@syncscope/protocols';
import { chromium } from 'playwright-core';
import { startPanelServer } from '../../inspector/src/serve/index.ts';
import { frameToLine, headerToLine, parseFrameLine, sessionHeader } from '../../inspector/src/session/session-file.ts';
import { CHROMIUM_FLAGS, findChromium } from '../chromium.mjs';
import type { BenchRow } from './table.ts';

// SYNCSCOPE_BENCH_FRAMES runs a shorter session (for profiling); the figure is a million.
const FRAMES = Number(process.env.SYNCSCOPE_BENCH_FRAMES) || 1_000_000;
const root = join(import.meta.dirname, '../..');

function recordedFrames(): RawFrame[] {
  const frames: RawFrame[] = [];
  for (const protocol of readdirSync(join(root, 'protocols'), { withFileTypes: true })) {
    if (!protocol.isDirectory() || protocol.name === 'core') continue;
    let files: string[] = [];
    try {
      files = readdirSync(join(root, 'protocols', protocol.name, 'fixtures')).filter(
        (f) => f.endsWith('.syncscope.jsonl') && !f.startsWith('public-'),
      );
    } catch {
      continue;
    }
    for (const file of files) {
      const lines = readFileSync(join(root, 'protocols', protocol.name, 'fixtures', file), 'utf8')
        .trimEnd()
        .split('\n')
        .slice(1);
      for (const line of lines) {
        const parsed = parseFrameLine(line);
        if (parsed.ok) frames.push({ ...parsed.frame, conn: `${protocol.name}/${file}/${parsed.frame.conn}` });
      }
    }
  }
  return frames;
}

/** Writes `count` frames (the recordings over and over, in time order) and returns the bytes of their payloads. */
export async function writeBigSession(path: string, count = FRAMES): Promise<number> {
  const source = recordedFrames();
  const out = createWriteStream(path);
  out.write(`${headerToLine(sessionHeader({ origin: 'syncscope scale benchmark' }))}\n`);
  let payloadBytes = 0;
  let batch: string[] = [];
  for (let seq = 0; seq < count; seq++) {
    const frame = source[seq % source.length] as RawFrame;
    payloadBytes += (frame.text ?? frame.b64 ?? '').length;
    batch.push(frameToLine({ ...frame, seq, t: 1_795_000_000_000 + seq }));
    if (batch.length === 10_000) {
      if (!out.write(`${batch.join('\n')}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      batch = [];
    }
  }
  if (batch.length) out.write(`${batch.join('\n')}\n`);
  await new Promise<void>((resolve) => out.end(resolve));
  return payloadBytes;
}

const median = (values: number[]) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export async function scaleBench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'syncscope-scale-'));
  const file = join(dir, 'million.syncscope.jsonl');
  const payloadBytes = await writeBigSession(file);
  const server = await startPanelServer({ port: 0, host: '127.0.0.1', sessions: [file] });
  const browser = await chromium.launch({
    executablePath: findChromium(),
    args: [...CHROMIUM_FLAGS, '--enable-precise-memory-info', '--js-flags=--expose-gc --max-old-space-size=4096'],
    headless: true,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const heap = () =>
      page.evaluate(() => {
        (globalThis as { gc?: () => void }).gc?.();
        return (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize;
      });
    await page.goto(`${server.url}?live=0`);
    await page.getByTestId('frame-count').waitFor();
    const emptyHeap = await heap();

    // SYNCSCOPE_BENCH_PROFILE=<dir> records the page's CPU profile of each step into <dir>/<step>.cpuprofile (open
    // them in DevTools' Performance panel; with SYNCSCOPE_PANEL_MINIFY=0 the page script keeps its names).
    const profileDir = process.env.SYNCSCOPE_BENCH_PROFILE;
    const cdp = profileDir ? await page.context().newCDPSession(page) : undefined;
    if (cdp) await cdp.send('Profiler.enable');
    const profile = async <T>(step: string, run: () => Promise<T>): Promise<T> => {
      if (!cdp || !profileDir) return run();
      await cdp.send('Profiler.start');
      const result = await run();
      const { profile: recorded } = await cdp.send('Profiler.stop');
      writeFileSync(join(profileDir, `${step}.cpuprofile`), JSON.stringify(recorded));
      return result;
    };
    const loadStart = Date.now();
    const loadMs = await profile('load', async () => {
      await page.goto(`${server.url}?session=million.syncscope.jsonl&live=0`);
      // The badge reads "1,000,000 frames" (locale digits grouping): compare its digits.
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid="frame-count"]')?.textContent?.replace(/\D/g, '') === String(n),
        FRAMES,
        { timeout: 300_000, polling: 100 },
      );
      return Date.now() - loadStart;
    });
    // The frames are listed; protocols, types and state are derived in the background after. Everything below is
    // measured once that is done.
    const derivedMs = await profile('derive', async () => {
      await page.waitForFunction(() => !document.querySelector('[data-testid="deriving"]'), undefined, { timeout: 600_000, polling: 100 });
      return Date.now() - loadStart;
    });
    process.stderr.write(`bench: scale: state derived ${derivedMs} ms after the load began\n`);
    // tsx keeps function names with an __name() helper that the page does not have; give it one.
    await page.evaluate('globalThis.__name = (fn) => fn');
    process.stderr.write(`bench: scale: loaded in ${loadMs} ms\n`);
    const perFrame = ((await heap()) - emptyHeap - payloadBytes) / FRAMES;

    const filterMs = await profile('filter', () =>
      page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const input = document.querySelector('[aria-label="Filter messages"]') as HTMLInputElement;
            const count = document.querySelector('[data-testid="row-count"]') as HTMLElement;
            const before = count.textContent;
            const start = performance.now();
            // A filter that changed nothing would never be observed: give up after 20 s and report it as such.
            setTimeout(() => resolve(Number.POSITIVE_INFINITY), 20_000);
            new MutationObserver((_, observer) => {
              if (count.textContent !== before) {
                observer.disconnect();
                requestAnimationFrame(() => resolve(performance.now() - start));
              }
            }).observe(count, { childList: true, characterData: true, subtree: true });
            input.value = 'rehydrate';
            input.dispatchEvent(new Event('input', { bubbles: true }));
          }),
      ),
    );
    process.stderr.write(`bench: scale: filter ${filterMs.toFixed(0)} ms\n`);
    await page.evaluate(() => {
      const input = document.querySelector('[aria-label="Filter messages"]') as HTMLInputElement;
      input.value = '';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });

    const jumps: number[] = [];
    await profile('jump', async () => {
      for (let i = 0; i < 7; i++) {
        jumps.push(
          await page.evaluate(
            (fraction) =>
              new Promise<number>((resolve) => {
                const strip = document.querySelector('[aria-label^="Timeline"]') as HTMLElement;
                const rect = strip.getBoundingClientRect();
                const start = performance.now();
                strip.dispatchEvent(
                  new PointerEvent('pointerdown', {
                    bubbles: true,
                    clientX: rect.left + rect.width * fraction,
                    clientY: rect.top + 5,
                    pointerId: 1,
                  }),
                );
                // Two frames: the state is computed and the views have painted it.
                requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - start)));
              }),
            0.05 + 0.9 * ((i * 0.37) % 1),
          ),
        );
      }
    });

    const scroll = await page.evaluate(
      () =>
        new Promise<{ fps: number; worstMs: number }>((resolve) => {
          const body = document.querySelector('.table-body') as HTMLElement;
          const times: number[] = [];
          const step = (now: number) => {
            times.push(now);
            body.scrollTop += 600;
            if (times.length < 180) requestAnimationFrame(step);
            else {
              const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
              resolve({ fps: (gaps.length / ((times.at(-1) as number) - (times[0] as number))) * 1000, worstMs: Math.max(...gaps) });
            }
          };
          requestAnimationFrame(step);
        }),
    );

    const group = 'scale (Chromium, panel page)';
    const million = FRAMES.toLocaleString('en-US');
    return [
      {
        group,
        name: `load ${million} frames from a session file (listed and scrollable)`,
        figure: loadMs / 1000,
        unit: 's',
        goal: '< 15',
        met: loadMs < 15_000,
      },
      {
        group,
        name: 'state derived for all of them (protocols, types, queues, journals; in the background, page responsive)',
        figure: derivedMs / 1000,
        unit: 's',
        note: 'from the start of the load',
      },
      { group, name: 'filter by text', figure: filterMs, unit: 'ms', goal: '< 300', met: filterMs < 300 },
      {
        group,
        name: 'time-travel to a frame (timeline click, to paint)',
        figure: median(jumps),
        unit: 'ms',
        goal: '< 100',
        met: median(jumps) < 100,
        note: 'median of 7',
      },
      {
        group,
        name: 'scrolling the message table',
        figure: scroll.fps,
        unit: 'fps',
        goal: '≥ 60',
        met: scroll.fps >= 58,
        note: `worst frame ${scroll.worstMs.toFixed(0)} ms`,
      },
      { group, name: 'JS heap per frame beyond payloads', figure: perFrame, unit: 'bytes', goal: '< 600', met: perFrame < 600 },
      {
        group,
        name: 'frames kept',
        figure: FRAMES,
        unit: 'frames',
        peer: { name: "Firefox's WebSocket inspector shows", figure: 500 },
        note: 'Socket.IO Admin UI keeps 1,000 events; Redux DevTools keeps 50 actions by default',
        ratio: FRAMES / 500,
        ratioMeans: '× Firefox',
      },
    ];
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
