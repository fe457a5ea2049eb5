/**
 * Serves the demo with Vite (the SharedWorker and the stores are TypeScript) next to a temporal server:
 * `npx tsx examples/temporal/demo/serve.ts` prints the URL to open. Used by the e2e test and by hand.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';
import { startServer } from '../server/index.ts';

const here = dirname(fileURLToPath(import.meta.url));

export async function serveDemo(options: {
  dataDir: string;
  port?: number;
}): Promise<{ demoURL: string; serverURL: string; close(): Promise<void> }> {
  const server = await startServer({ dataDir: options.dataDir, host: '127.0.0.1', port: 0 });
  let vite: ViteDevServer | undefined;
  try {
    vite = await createServer({
      root: here,
      configFile: false,
      logLevel: 'silent',
      cacheDir: join(options.dataDir, 'vite-cache'),
      server: { host: '127.0.0.1', port: options.port ?? 0, strictPort: false, hmr: false },
    });
    await vite.listen();
  } catch (error) {
    await server.close();
    throw error;
  }
  const address = vite.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const serverURL = server.url.replace(/\/$/, '');
  const running = vite;
  return {
    demoURL: `http://127.0.0.1:${port}/?server=${encodeURIComponent(serverURL)}`,
    serverURL,
    async close() {
      await running.close();
      await server.close();
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dataDir = process.env.TEMPORAL_DATA ?? mkdtempSync(join(tmpdir(), 'temporal-demo-'));
  const demo = await serveDemo({ dataDir, port: Number(process.env.PORT ?? 0) });
  console.log(`temporal demo: ${demo.demoURL}`);
  console.log(`(data in ${dataDir}; add &person=bob for a second person)`);
  process.on('SIGINT', () => void demo.close().then(() => process.exit(0)));
}
