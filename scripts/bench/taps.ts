/**
 * Tap overhead in real Chromium: a page receives (and sends) a flood of small WebSocket messages from a local
 * server, JSON text and CBOR binary, and measures the app-visible throughput. Three ways, same run:
 *   - no hook (the app alone),
 *   - the syncscope hook installed and a listener draining its frames over window.postMessage, as the extension
 *     relay does,
 *   - Chrome DevTools' own capture: a CDP session with Network.enable receiving every webSocketFrame event, which
 *     is what an open Network panel costs.
 * Goals: the hook within 5 % of no hook, and cheaper than DevTools' capture.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { encodeCbor } from '@syncscope/protocols';
import { chromium } from 'playwright-core';
import { WebSocketServer } from 'ws';
import { bundleHook } from '../../inspector/src/hook/build.ts';
import { CHROMIUM_FLAGS, findChromium } from '../chromium.mjs';
import type { BenchRow } from './table.ts';

// Defaults as issue 11 asks; SYNCSCOPE_BENCH_MESSAGES / SYNCSCOPE_BENCH_REPEATS shorten a run.
const MESSAGES = Number(process.env.SYNCSCOPE_BENCH_MESSAGES ?? 200_000);
const REPEATS = Number(process.env.SYNCSCOPE_BENCH_REPEATS ?? 3);
// Opt-in, for diagnosis only: SYNCSCOPE_BENCH_FLOWS=receive-json,receive-cbor runs only those flows, and
// SYNCSCOPE_BENCH_PROFILE=<dir> writes a CPU profile of the page (no-hook and hook modes) for each flood there.
// Profiling slows the page down: figures of a profiled run are not the benchmark's.
const FLOWS = process.env.SYNCSCOPE_BENCH_FLOWS?.split(',').filter(Boolean) as Flow[] | undefined;
const PROFILE_DIR = process.env.SYNCSCOPE_BENCH_PROFILE;

type Mode = 'none' | 'hook' | 'devtools';
type Flow = 'receive-json' | 'receive-cbor' | 'send-json' | 'send-cbor';

const PAGE = `<!doctype html><meta charset="utf-8"><title>flood</title><script>
window.flood = (url, flow, count) => new Promise((resolve, reject) => {
  const socket = new WebSocket(url + '?flow=' + flow + '&count=' + count);
  socket.binaryType = 'arraybuffer';
  let received = 0, start = 0;
  socket.onerror = () => reject(new Error('socket error'));
  socket.onmessage = (event) => {
    if (flow.startsWith('receive')) {
      if (received === 0) start = performance.now();
      // Touch the payload as an app would: parse text, read the binary length.
      if (typeof event.data === 'string') JSON.parse(event.data); else if (event.data.byteLength < 1) throw new Error('empty');
      if (++received === count) { resolve(count / ((performance.now() - start) / 1000)); socket.close(); }
    } else if (event.data === 'done') { resolve(count / ((performance.now() - start) / 1000)); socket.close(); }
  };
  socket.onopen = () => {
    if (!flow.startsWith('send')) return;
    start = performance.now();
    const binary = flow === 'send-cbor' ? new Uint8Array(${JSON.stringify([...encodeCbor({ op: 'set', key: 'k', value: 1 })])}) : null;
    // Sends go out 1,000 per task, as an app's sync loop would, not in one task that never yields.
    let i = 0;
    const burst = () => { const end = Math.min(count, i + 1000); for (; i < end; i++) socket.send(binary ?? JSON.stringify({ op: 'set', key: 'k' + (i % 100), value: i })); if (i < count) setTimeout(burst, 0); };
    burst();
  };
});
</script>`;

export async function tapsBench(): Promise<BenchRow[]> {
  const hook = await bundleHook({ minify: true });
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(PAGE);
  });
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const cborMessage = Buffer.from(encodeCbor({ op: 'set', key: 'k', value: 1 }));
  wss.on('connection', (socket, request) => {
    const params = new URL(request.url ?? '/', 'http://x').searchParams;
    const flow = params.get('flow') as Flow;
    const count = Number(params.get('count'));
    if (flow.startsWith('receive')) {
      for (let i = 0; i < count; i++) {
        if (flow === 'receive-cbor') socket.send(cborMessage, { binary: true });
        else socket.send(JSON.stringify({ op: 'set', key: `k${i % 100}`, value: i }));
      }
      return;
    }
    let got = 0;
    socket.on('message', () => {
      if (++got === count) socket.send('done');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS, headless: true });
  const rates = new Map<string, number[]>();
  try {
    const flows: Flow[] = FLOWS ?? ['receive-json', 'receive-cbor', 'send-json', 'send-cbor'];
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      for (const flow of flows) {
        // Interleave the modes so that drift of the machine hits all three alike.
        for (const mode of ['none', 'hook', 'devtools'] as Mode[]) {
          const context = await browser.newContext();
          const page = await context.newPage();
          if (mode === 'hook') {
            await page.addInitScript(
              `${hook.code};(() => { const h = syncscopeHook.installHook({ bridge: true }); let n = 0;
               window.addEventListener('message', (e) => { if (e.data && e.data.event && e.data.event.type === 'frames') n += e.data.event.frames.length; });
               h.command({ type: 'listen', on: true }); window.__captured = () => n; })();`,
            );
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
            writeFileSync(join(PROFILE_DIR, `${flow}-${mode}-${repeat}.cpuprofile`), JSON.stringify(profile));
          }
          if (mode === 'hook') {
            const captured = await page.evaluate(
              () =>
                new Promise<number>((resolve) =>
                  setTimeout(() => resolve((window as unknown as { __captured: () => number }).__captured()), 300),
                ),
            );
            if (captured < MESSAGES)
              process.stderr.write(`bench: hook captured ${captured} of ${MESSAGES} on ${flow} (the rest counted as dropped)\n`);
          }
          if (mode === 'devtools' && devtoolsFrames === 0)
            throw new Error('DevTools capture saw no frame: the comparison would be meaningless');
          process.stderr.write(`bench: ${flow} ${mode}: ${Math.round(rate)} msg/s\n`);
          const key = `${flow}/${mode}`;
          rates.set(key, [...(rates.get(key) ?? []), rate]);
          await context.close();
        }
      }
    }
  } finally {
    await browser.close();
    for (const client of wss.clients) client.terminate();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  const median = (key: string) => {
    const all = (rates.get(key) ?? [0]).slice().sort((a, b) => a - b);
    return all[Math.floor(all.length / 2)] as number;
  };
  const rows: BenchRow[] = [];
  for (const flow of FLOWS ?? (['receive-json', 'receive-cbor', 'send-json', 'send-cbor'] as Flow[])) {
    const none = median(`${flow}/none`);
    const hooked = median(`${flow}/hook`);
    const devtools = median(`${flow}/devtools`);
    const slowdown = 1 - hooked / none;
    rows.push({
      group: 'tap overhead (Chromium)',
      name: `${flow}, ${MESSAGES.toLocaleString('en-US')} messages, with the syncscope hook`,
      figure: hooked,
      unit: 'msg/s',
      peer: { name: 'no hook', figure: none },
      ratio: hooked / none,
      ratioMeans: 'of no-hook speed',
      goal: '≥ 0.95',
      met: slowdown <= 0.05,
      note: `median of ${REPEATS}`,
    });
    rows.push({
      group: 'tap overhead (Chromium)',
      name: `${flow}, with Chrome DevTools capture (CDP Network.enable)`,
      figure: devtools,
      unit: 'msg/s',
      peer: { name: 'syncscope hook', figure: hooked },
      ratio: hooked / devtools,
      ratioMeans: 'hook speed / DevTools speed',
      goal: '> 1',
      met: hooked > devtools,
      note: `median of ${REPEATS}`,
    });
  }
  return rows;
}
