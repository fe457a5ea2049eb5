/**
 * Tap overhead in real Chromium: a page receives (and sends) a flood of small WebSocket messages from a local
 * server, JSON text and CBOR binary, and measures the app-visible throughput. Three ways, same run:
 *   - no hook (the app alone),
 *   - the syncscope hook installed, and a stand-in for the extension relay in an isolated world of its own, as the
 *     relay content script is: it offers the hook a MessagePort on the window, as the relay does, and reads every
 *     batch the hook sends there,
 *   - Chrome DevTools' own capture: a CDP session with Network.enable receiving every webSocketFrame event, which
 *     is what an open Network panel costs.
 * Goals: the hook within 5 % of no hook, and cheaper than DevTools' capture.
 *
 * Run-to-run noise of one flood (±10 % on a shared 2-core machine) is wider than the 5 % goal, so a verdict cannot
 * rest on a few long floods per mode. The bench runs many shorter rounds instead: each round floods once per mode,
 * back to back, with no hook and the hook always adjacent and their order alternated, and each round gives a
 * paired ratio (hook / no hook, hook / DevTools). Drift of the machine mostly cancels inside a pair; the rows report
 * the median of the paired ratios and their interquartile range and extremes, so a reader sees whether the goal lies
 * inside the noise. The first flood of each flow warms Chromium and the server up and is not counted. The server
 * runs in a child process (flood-server.ts), away from playwright's event loop.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { bundleHook } from '../../inspector/src/hook/build.ts';
import { CHROMIUM_FLAGS, findChromium } from '../chromium.mjs';
import { type Flow, startFloodServer } from './flood-server.ts';
import type { BenchRow } from './table.ts';

// Defaults: 50,000 messages per flood (issue 11 says "e.g. 200,000"; shorter floods buy more paired rounds in the
// same time) and 8 rounds per flow (two cycles of the four round orders). SYNCSCOPE_BENCH_MESSAGES / SYNCSCOPE_BENCH_REPEATS (rounds) change them.
const MESSAGES = Number(process.env.SYNCSCOPE_BENCH_MESSAGES ?? 50_000);
const ROUNDS = Number(process.env.SYNCSCOPE_BENCH_REPEATS ?? 8);
// Opt-in, for diagnosis only: SYNCSCOPE_BENCH_FLOWS=receive-json,receive-cbor runs only those flows, and
// SYNCSCOPE_BENCH_PROFILE=<dir> writes a CPU profile of the page (no-hook and hook modes) for each flood there.
// Profiling slows the page down: figures of a profiled run are not the benchmark's.
const ALL_FLOWS: Flow[] = ['receive-json', 'receive-cbor', 'send-json', 'send-cbor'];
const FLOWS = (process.env.SYNCSCOPE_BENCH_FLOWS?.split(',').filter(Boolean) as Flow[] | undefined) ?? ALL_FLOWS;
const PROFILE_DIR = process.env.SYNCSCOPE_BENCH_PROFILE;

type Mode = 'none' | 'hook' | 'devtools';

/** Round orders, cycled: no hook and hook always adjacent, each first half the time, DevTools before or after. */
const ORDERS: Mode[][] = [
  ['none', 'hook', 'devtools'],
  ['devtools', 'hook', 'none'],
  ['hook', 'none', 'devtools'],
  ['devtools', 'none', 'hook'],
];

const HOOK_INIT = (hookCode: string) =>
  `${hookCode};(() => { syncscopeHook.installHook({ bridge: true }).command({ type: 'listen', on: true }); })();`;

/**
 * The relay stand-in, in an isolated world as the relay's content script is: a world that reads a message's data
 * deserializes it for itself, so where the reading happens counts. It reads every batch (`e.data`), as the relay
 * does before validating it, and counts the frames; the count is written to the DOM (shared by the worlds) only when
 * the page asks, by an event, so that the flood pays for no DOM write.
 */
const RELAY_WORLD = 'syncscope-relay-stand-in';
const RELAY_INIT = `(() => { let n = 0; const relay = new MessageChannel();
   relay.port1.onmessage = (e) => { const d = e.data; if (d && d.event && d.event.type === 'frames') n += d.event.frames.length; };
   window.postMessage({ source: 'syncscope-relay', v: 1, type: 'port' }, '*', [relay.port2]);
   document.addEventListener('syncscope-bench-count', () => { document.documentElement.dataset.syncscopeCaptured = String(n); }); })();`;

/** Quantile of sorted values, linear between neighbours. */
function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (at - low);
}

function spread(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
  };
}

export async function tapsBench(): Promise<BenchRow[]> {
  const hook = await bundleHook({ minify: true });
  const server = await startFloodServer();
  const { port } = server;
  const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS, headless: true });

  /** One flood in a fresh browser context; returns the app-visible rate in messages per second. */
  const flood = async (flow: Flow, mode: Mode, label: string): Promise<number> => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      if (mode === 'hook') {
        await page.addInitScript(HOOK_INIT(hook.code));
        const cdp = await context.newCDPSession(page);
        // Without Page.enable, Chromium 156 runs no script of a named world.
        await cdp.send('Page.enable');
        await cdp.send('Page.addScriptToEvaluateOnNewDocument', { source: RELAY_INIT, worldName: RELAY_WORLD });
      }
      let devtoolsFrames = 0;
      if (mode === 'devtools') {
        const cdp = await context.newCDPSession(page);
        cdp.on('Network.webSocketFrameReceived', () => devtoolsFrames++);
        cdp.on('Network.webSocketFrameSent', () => devtoolsFrames++);
        await cdp.send('Network.enable');
      }
      page.on('crash', () => process.stderr.write(`bench: page crashed on ${flow} (${mode})\n`));
      await page.goto(`http://127.0.0.1:${port}/`);
      const profiler = PROFILE_DIR && mode !== 'devtools' ? await context.newCDPSession(page) : undefined;
      if (profiler) {
        await profiler.send('Profiler.enable');
        await profiler.send('Profiler.setSamplingInterval', { interval: 200 });
        await profiler.send('Profiler.start');
      }
      const rate = (await page.evaluate(
        ([url, f, n]) =>
          (window as unknown as { flood: (u: string, f: string, n: number) => Promise<number> }).flood(
            url as string,
            f as string,
            n as number,
          ),
        [`ws://127.0.0.1:${port}/`, flow, MESSAGES] as const,
      )) as number;
      if (profiler && PROFILE_DIR) {
        const { profile } = await profiler.send('Profiler.stop');
        mkdirSync(PROFILE_DIR, { recursive: true });
        writeFileSync(join(PROFILE_DIR, `${flow}-${mode}-${label}.cpuprofile`), JSON.stringify(profile));
      }
      if (mode === 'hook') {
        const captured = await page.evaluate(
          () =>
            new Promise<number>((resolve) =>
              setTimeout(() => {
                document.dispatchEvent(new Event('syncscope-bench-count'));
                resolve(Number(document.documentElement.dataset.syncscopeCaptured ?? 0));
              }, 300),
            ),
        );
        if (captured < MESSAGES)
          process.stderr.write(`bench: hook captured ${captured} of ${MESSAGES} on ${flow} (the rest counted as dropped)\n`);
      }
      if (mode === 'devtools' && devtoolsFrames === 0)
        throw new Error('DevTools capture saw no frame: the comparison would be meaningless');
      process.stderr.write(`bench: ${flow} ${label} ${mode}: ${Math.round(rate)} msg/s\n`);
      return rate;
    } finally {
      await context.close();
    }
  };

  const rows: BenchRow[] = [];
  try {
    for (const flow of FLOWS) {
      await flood(flow, 'none', 'warm-up');
      const rates: Record<Mode, number[]> = { none: [], hook: [], devtools: [] };
      for (let round = 0; round < ROUNDS; round++) {
        for (const mode of ORDERS[round % ORDERS.length] as Mode[]) rates[mode].push(await flood(flow, mode, `round ${round + 1}`));
      }
      rows.push(...flowRows(flow, rates));
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return rows;
}

const f2 = (n: number) => n.toFixed(2);

function flowRows(flow: Flow, rates: Record<Mode, number[]>): BenchRow[] {
  const hookVsNone = spread(rates.hook.map((hooked, i) => hooked / (rates.none[i] as number)));
  const hookVsDevtools = spread(rates.hook.map((hooked, i) => hooked / (rates.devtools[i] as number)));
  const none = spread(rates.none).median;
  const hooked = spread(rates.hook).median;
  const devtools = spread(rates.devtools).median;
  const describe = (s: ReturnType<typeof spread>, pair: string) =>
    `${MESSAGES.toLocaleString('en-US')} messages per flood; figures are medians of ${ROUNDS} rounds, the ratio is the median of ${ROUNDS} paired ratios (${pair}, floods back to back, order alternated; a warm-up flood discarded): interquartile ${f2(s.q1)}–${f2(s.q3)}, range ${f2(s.min)}–${f2(s.max)}`;
  return [
    {
      group: 'tap overhead (Chromium)',
      name: `${flow}, with the syncscope hook`,
      figure: hooked,
      unit: 'msg/s',
      peer: { name: 'no hook', figure: none },
      ratio: hookVsNone.median,
      ratioMeans: 'of no-hook speed',
      goal: '≥ 0.95',
      met: hookVsNone.median >= 0.95,
      note: describe(hookVsNone, 'hook / no hook'),
    },
    {
      group: 'tap overhead (Chromium)',
      name: `${flow}, with Chrome DevTools capture (CDP Network.enable)`,
      figure: devtools,
      unit: 'msg/s',
      peer: { name: 'syncscope hook', figure: hooked },
      ratio: hookVsDevtools.median,
      ratioMeans: 'hook speed / DevTools speed',
      goal: '> 1',
      met: hookVsDevtools.median > 1,
      note: describe(hookVsDevtools, 'hook / DevTools'),
    },
  ];
}
