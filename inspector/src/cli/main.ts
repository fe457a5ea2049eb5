/**
 * The `syncscope` command. Every failure is one line on stderr naming what was wrong, and exit code 1.
 */
import { parseArgs } from 'node:util';
import { createRegistry } from '@syncscope/protocols';
import { startPanelServer } from '../serve/index.ts';
import { readSessionFile } from '../session/node.ts';
import { dump } from './dump.ts';
import { linkToPanel } from './panel-link.ts';
import { runProxy } from './proxy-command.ts';

const USAGE = `usage:
  syncscope dump <file.syncscope.jsonl | file.har> [--json] [--protocol <id>] [--lenient]
  syncscope serve [--port N] [--host 127.0.0.1]
  syncscope open <file.syncscope.jsonl | file.har> [--port N]
  syncscope proxy --listen [HOST:]PORT --target <ws|http>://HOST:PORT [--out file.syncscope.jsonl] [--panel ws://127.0.0.1:PORT/remote]`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (command === 'dump') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, protocol: { type: 'string' }, lenient: { type: 'boolean' } },
    });
    if (positionals.length !== 1) throw new Error(`dump takes one file, got ${positionals.length}`);
    const out: string[] = [];
    const flush = () => {
      if (out.length) process.stdout.write(`${out.join('\n')}\n`);
      out.length = 0;
    };
    await dump(positionals[0] as string, createRegistry(), values, (line) => {
      out.push(line);
      if (out.length >= 512) flush();
    });
    flush();
    return 0;
  }
  if (command === 'serve' || command === 'open') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: command === 'open',
      options: { port: { type: 'string' }, host: { type: 'string' } },
    });
    const port = values.port === undefined ? 4106 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port wants a port number, got "${values.port}"`);
    let sessions: string[] = [];
    if (command === 'open') {
      if (positionals.length !== 1) throw new Error(`open takes one file, got ${positionals.length}`);
      const file = positionals[0] as string;
      // Check the file before serving it, so a bad recording is reported here with its line number.
      if (!file.toLowerCase().endsWith('.har')) await readSessionFile(file);
      sessions = [file];
    }
    let server: Awaited<ReturnType<typeof startPanelServer>>;
    try {
      server = await startPanelServer({ port, host: values.host ?? '127.0.0.1', sessions });
    } catch (error) {
      if ((error as { code?: string }).code === 'EADDRINUSE') throw new Error(`port ${port} is already in use; choose another with --port`);
      throw error;
    }
    const name = sessions[0]?.split(/[\\/]/).pop();
    const pageUrl = name ? `${server.url}?session=${encodeURIComponent(name)}` : server.url;
    console.log(`syncscope panel: ${pageUrl}`);
    console.log(`remote sinks and proxies send to ${server.remoteUrl} (Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      const stop = () => void server.close().then(resolve);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  }
  if (command === 'proxy') {
    const { values } = parseArgs({
      args: rest,
      options: { listen: { type: 'string' }, target: { type: 'string' }, out: { type: 'string' }, panel: { type: 'string' } },
    });
    if (!values.listen || !values.target) throw new Error('proxy needs --listen [HOST:]PORT and --target URL');
    const panel = values.panel ? await linkToPanel(values.panel, `proxy ${values.target}`) : undefined;
    const proxied = await runProxy({ listen: values.listen, target: values.target, out: values.out, onFrame: panel?.send });
    const running = {
      url: proxied.url,
      async stop() {
        await proxied.stop();
        await panel?.close();
      },
    };
    console.log(`syncscope proxy: ${running.url} -> ${values.target}${values.out ? `, recording to ${values.out}` : ''} (Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      const stop = () => void running.stop().then(resolve);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  }
  throw new Error(`unknown command "${command}"\n${USAGE}`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`syncscope: ${message.split('\n')[0]}\n`);
    process.exitCode = 1;
  },
);
