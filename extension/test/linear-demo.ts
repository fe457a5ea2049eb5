/**
 * The linear reference engine's demo for the extension tests: its server (SQLite in a temp dir) and its demo page,
 * bundled with esbuild and served from a second origin, as a developer would run it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startServer } from '../../examples/linear/server/index.ts';

const demoDir = fileURLToPath(new URL('../../examples/linear/demo/', import.meta.url));

export async function startLinearDemo(): Promise<{ pageUrl: string; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'syncscope-linear-'));
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir });
  const bundle = await build({
    entryPoints: [join(demoDir, 'main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]?.text ?? '';
  const html = readFileSync(join(demoDir, 'index.html'), 'utf8').replace('./main.ts', '/main.js');
  const pages = createServer((request, response) => {
    if (request.url?.startsWith('/main.js')) {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(script);
    } else if (request.url === '/' || request.url?.startsWith('/?')) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(html);
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  const address = pages.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    pageUrl: `http://127.0.0.1:${port}/?server=${encodeURIComponent(server.url.replace(/\/$/, ''))}`,
    close: async () => {
      pages.closeAllConnections();
      await new Promise<void>((r) => pages.close(() => r()));
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
