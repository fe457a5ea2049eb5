import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSessionLines } from '../session/session-file.ts';
import { parseListen } from './proxy-command.ts';

const root = join(import.meta.dirname, '../../..');

describe('syncscope proxy (the command)', () => {
  it('parses --listen and names a bad value', () => {
    expect(parseListen('127.0.0.1:4000')).toEqual({ host: '127.0.0.1', port: 4000 });
    expect(parseListen('4000')).toEqual({ host: '127.0.0.1', port: 4000 });
    expect(() => parseListen('here')).toThrow('--listen wants HOST:PORT or PORT, got "here"');
  });

  it('records to a session file while passing traffic through, and stops cleanly on SIGINT', async () => {
    const target = createServer((_req, res) => res.end('{"ok":true}'));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const out = join(mkdtempSync(join(tmpdir(), 'syncscope-proxy-')), 'rec.syncscope.jsonl');
    const child = spawn(
      process.execPath,
      [
        join(root, 'inspector/bin/syncscope.mjs'),
        'proxy',
        '--listen',
        '127.0.0.1:0',
        '--target',
        `http://127.0.0.1:${(target.address() as AddressInfo).port}`,
        '--out',
        out,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let seen = '';
        child.stdout.on('data', (chunk) => {
          seen += chunk;
          const match = /syncscope proxy: (http:\/\/[\d.:]+)/.exec(seen);
          if (match) resolve(match[1] as string);
        });
        child.once('exit', (code) => reject(new Error(`proxy exited early with ${code}`)));
      });
      expect(await (await fetch(`${url}/bootstrap`)).text()).toBe('{"ok":true}');
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      const session = await readSessionLines(readFileSync(out, 'utf8').trimEnd().split('\n'));
      expect(session.frames.map((f) => f.kind)).toEqual(['request', 'response']);
      expect(session.frames[1]?.text).toBe('{"ok":true}');
    } finally {
      child.kill('SIGKILL');
      target.close();
    }
  });
});
