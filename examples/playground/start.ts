/**
 * `npm start`: builds the extension, starts the five reference servers on 127.0.0.1 (data kept under data/ at the
 * project root, so a restart keeps it), the standalone panel, and one Vite server for the playground page and the
 * demo apps (each demo gets the in-page overlay). Ctrl-C stops everything.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import preact from '@preact/preset-vite';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import { ENGINES, type EngineEntry, type RunningServer } from './engines.ts';

const root = join(import.meta.dirname, '../..');

interface Options {
  port: number;
  host: string;
  build: boolean;
  /** Where the servers keep their data (default data/ in the project, so a restart keeps it). */
  dataDir: string;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, host: { type: 'string' }, data: { type: 'string' }, 'no-build': { type: 'boolean' } },
  });
  const port = Number(values.port ?? process.env.SYNCSCOPE_PORT ?? 4100);
  if (!Number.isInteger(port) || port < 1024 || port > 65_000)
    throw new Error(`--port must be a number between 1024 and 65000, got ${values.port}`);
  return { port, host: values.host ?? '127.0.0.1', build: !values['no-build'], dataDir: values.data ?? join(root, 'data') };
}

class PortBusyError extends Error {}

function explainListenError(error: unknown, what: string, port: number): Error {
  const code = (error as { code?: string }).code;
  if (code === 'EADDRINUSE') {
    return new PortBusyError(
      `port ${port} (${what}) is already in use — stop whatever holds it, or start on other ports: npm start -- --port <base>`,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

export interface Playground {
  urls: { playground: string; panel: string; engines: Record<string, string>; demos: Record<string, { a: string; b: string }> };
  stop(): Promise<void>;
}

/**
 * Makes `handler` the only reaction to SIGINT and SIGTERM. Miniflare installs an exit hook that calls
 * process.exit() on these signals at once, which would cut the orderly stop short (servers closed, SQLite files
 * checkpointed); its 'exit' hook stays, so workerd still goes when the process does.
 */
function ownSignals(handler: (() => void) | undefined): void {
  if (!handler) return;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, handler);
  }
}

export async function startPlayground(
  options: Options,
  log: (line: string) => void = console.log,
  onSignal?: () => void,
): Promise<Playground> {
  const running = new Map<string, RunningServer>();
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    for (const server of running.values()) await server.close().catch(() => {});
    running.clear();
  };

  try {
    if (options.build) buildExtension(log);

    const engineUrls: Record<string, string> = {};
    const demoUrls: Record<string, { a: string; b: string }> = {};
    const startEngine = async (engine: EngineEntry) => {
      const port = options.port + engine.portOffset;
      const dataDir = join(options.dataDir, engine.id);
      mkdirSync(dataDir, { recursive: true });
      try {
        const server = await engine.start({ port, host: options.host, dataDir });
        running.set(engine.id, server);
        engineUrls[engine.id] = server.url;
      } catch (error) {
        throw explainListenError(error, `${engine.id} server`, port);
      }
    };
    for (const engine of ENGINES) await startEngine(engine);
    for (const engine of ENGINES) {
      const demo = await startDemo(engine, options);
      stops.push(demo.close);
      demoUrls[engine.id] = { a: demo.url, b: demo.twinUrl };
    }

    const panelPort = options.port + 6;
    const { startPanelServer } = await import('../../inspector/src/serve/index.ts');
    let panel: Awaited<ReturnType<typeof startPanelServer>>;
    try {
      panel = await startPanelServer({ port: panelPort, host: options.host });
    } catch (error) {
      throw explainListenError(error, 'standalone panel', panelPort);
    }
    stops.push(() => panel.close());

    const restart = async (id: string) => {
      const engine = ENGINES.find((e) => e.id === id);
      if (!engine) throw new Error(`no engine "${id}"`);
      await running.get(id)?.close();
      running.delete(id);
      await startEngine(engine);
      ownSignals(onSignal);
    };
    let vite: ViteDevServer;
    try {
      vite = await createServer({
        configFile: false,
        root: join(root, 'examples/playground'),
        base: '/playground/',
        appType: 'mpa',
        logLevel: 'warn',
        plugins: [playgroundApi(engineUrls, demoUrls, panel.url, restart)],
        server: { host: options.host, port: options.port, strictPort: true, hmr: false },
      });
      await vite.listen();
    } catch (error) {
      throw explainListenError(error, 'playground', options.port);
    }
    stops.push(() => vite.close());
    const playgroundUrl = `http://${options.host}:${options.port}/playground/`;
    log(`syncscope: ${ENGINES.length} engines, their demos and the panel are up`);
    return { urls: { playground: playgroundUrl, panel: panel.url, engines: engineUrls, demos: demoUrls }, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function buildExtension(log: (line: string) => void): void {
  for (const args of [
    ['wxt', 'build'],
    ['wxt', 'build', '-b', 'firefox'],
  ]) {
    const result = spawnSync('npx', args, { cwd: root, encoding: 'utf8' });
    if (result.status !== 0) {
      log(`syncscope: building the extension failed (${args.join(' ')}):\n${result.stderr || result.stdout}`);
      throw new Error('extension build failed');
    }
  }
}

/**
 * A demo app on its own port, served by Vite from its folder (with the demo's own vite.config.ts when it has one),
 * with the inspector injected. A twin listener on 127.0.0.2 forwards to the same server: a second origin, so a
 * second client of the same demo has its own storage, workers and identity, side by side with the first.
 */
async function startDemo(engine: EngineEntry, options: Options): Promise<{ url: string; twinUrl: string; close(): Promise<void> }> {
  const port = options.port + 10 + engine.portOffset;
  const demoRoot = join(root, 'examples', engine.id, 'demo');
  const config = join(demoRoot, 'vite.config.ts');
  let vite: ViteDevServer;
  try {
    vite = await createServer({
      configFile: existsSync(config) ? config : false,
      root: demoRoot,
      logLevel: 'warn',
      cacheDir: join(root, 'node_modules', '.vite-playground', engine.id),
      plugins: [preact(), inspectorInDemo()],
      // Pre-bundle what the overlay loads lazily: a dependency found only after the page loaded would be bundled
      // again, and with HMR off the page would run two copies of Preact side by side.
      optimizeDeps: {
        entries: [join(demoRoot, 'index.html'), join(root, 'inspector/src/overlay/ui.tsx')],
        include: [
          'preact',
          'preact/hooks',
          'preact/jsx-runtime',
          '@tanstack/preact-table',
          '@tanstack/virtual-core',
          'zod',
          'cbor-x',
          'msgpackr',
        ],
      },
      server: { host: options.host, port, strictPort: true, hmr: false, fs: { allow: [root] } },
    });
    await vite.listen();
  } catch (error) {
    throw explainListenError(error, `${engine.id} demo`, port);
  }
  const twin = createNetServer((socket) => {
    const upstream = connect(port, options.host);
    socket.pipe(upstream).pipe(socket);
    const end = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', end);
    upstream.on('error', end);
  });
  const twinHost = '127.0.0.2';
  await new Promise<void>((resolve, reject) => {
    twin.once('error', (error) => reject(explainListenError(error, `${engine.id} demo (second client)`, port)));
    twin.listen(port, twinHost, () => resolve());
  }).catch(async (error) => {
    await vite.close();
    throw error;
  });
  return {
    url: `http://${options.host}:${port}/`,
    twinUrl: `http://${twinHost}:${port}/`,
    async close() {
      await new Promise<void>((resolve) => twin.close(() => resolve()));
      await vite.close();
    },
  };
}

/** /api/engines lists the servers; /api/engines/<id>/restart stops and starts one (data is kept). */
function playgroundApi(
  engineUrls: Record<string, string>,
  demoUrls: Record<string, { a: string; b: string }>,
  panelUrl: string,
  restart: (id: string) => Promise<void>,
): Plugin {
  return {
    name: 'syncscope-playground-api',
    configureServer(server) {
      server.middlewares.use('/api/engines', (req: IncomingMessage, res: ServerResponse) => {
        const send = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        const match = /^\/([a-z]+)\/restart\/?$/.exec(req.url ?? '');
        if (req.method === 'POST' && match) {
          restart(match[1] as string).then(
            () => send(200, { restarted: match[1] }),
            (error: Error) => send(500, { error: error.message }),
          );
          return;
        }
        if (req.method === 'GET' && (req.url === '/' || req.url === '')) {
          send(200, {
            panel: panelUrl,
            engines: ENGINES.map((e) => ({ id: e.id, title: e.title, note: e.note, url: engineUrls[e.id], demo: demoUrls[e.id] })),
          });
          return;
        }
        send(404, { error: `no such playground endpoint: ${req.method} /api/engines${req.url}` });
      });
    },
  };
}

/** Every demo page gets the inspector: the taps first (before the app opens a socket), then the overlay. */
function inspectorInDemo(): Plugin {
  const entry = `/@fs${join(root, 'examples/playground/with-inspector.ts')}`;
  return {
    name: 'syncscope-inspector-in-demo',
    transformIndexHtml() {
      return [{ tag: 'script', attrs: { type: 'module', src: entry }, injectTo: 'head-prepend' }];
    },
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  let stopping = false;
  let playground: Playground | undefined;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('syncscope: stopping…');
    await playground?.stop();
    process.exit(0);
  };
  const onSignal = () => void stop();
  playground = await startPlayground(options, console.log, onSignal);
  ownSignals(onSignal);
  const { urls } = playground;
  console.log(
    [
      '',
      `syncscope playground ready: ${urls.playground}`,
      `  standalone panel:  ${urls.panel}`,
      ...ENGINES.map(
        (e) => `  ${e.id.padEnd(10)} demo: ${urls.demos[e.id]?.a}?server=${urls.engines[e.id]}  server: ${urls.engines[e.id]}`,
      ),
      '',
      '  The extension is built in .output/: in Chrome open chrome://extensions, turn on Developer mode,',
      '  "Load unpacked" and pick .output/chrome-mv3; in Firefox open about:debugging#/runtime/this-firefox,',
      '  "Load Temporary Add-on" and pick .output/firefox-mv3/manifest.json. Then open DevTools > syncscope.',
      '  Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(`syncscope: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
