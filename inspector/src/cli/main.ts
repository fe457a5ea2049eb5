/**
 * The `syncscope` command. Every failure is one line on stderr naming what was wrong, and exit code 1.
 */
import { parseArgs } from 'node:util';
import { createRegistry } from '@syncscope/protocols';
import { dump } from './dump.ts';
import { runProxy } from './proxy-command.ts';

const USAGE = `usage:
  syncscope dump <file.syncscope.jsonl | file.har> [--json] [--protocol <id>] [--lenient]
  syncscope proxy --listen [HOST:]PORT --target <ws|http>://HOST:PORT [--out file.syncscope.jsonl]`;

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
  if (command === 'proxy') {
    const { values } = parseArgs({
      args: rest,
      options: { listen: { type: 'string' }, target: { type: 'string' }, out: { type: 'string' } },
    });
    if (!values.listen || !values.target) throw new Error('proxy needs --listen [HOST:]PORT and --target URL');
    const running = await runProxy({ listen: values.listen, target: values.target, out: values.out });
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
