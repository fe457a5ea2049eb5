import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRegistry } from '@syncscope/protocols';
import type { RawFrame } from '@syncscope/protocols/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sessionHeader, writeSession } from '../session/session-file.ts';
import { dump } from './dump.ts';

const root = join(import.meta.dirname, '../../..');
const bin = join(root, 'inspector/bin/syncscope.mjs');
const run = promisify(execFile);

async function cli(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'syncscope-cli-'));

describe('syncscope dump', () => {
  it('prints the sample session as text: one line per frame, then the model and totals', async () => {
    const { code, stdout } = await cli('dump', 'examples/sessions/sample.syncscope.jsonl');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s+0\s+\+0\.000s http\s+out\s+\S+\s+\S+/);
    expect(lines.at(-1)).toMatch(/^\d+ frames, \d+ decoded, \d+ undecodable$/);
  });

  it('--json follows the contract: a line per frame, then the summary', async () => {
    const { code, stdout } = await cli('dump', 'examples/sessions/sample.har', '--json');
    expect(code).toBe(0);
    const lines = stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const summary = lines.at(-1).summary;
    expect(Object.keys(summary).sort()).toEqual([
      'byProtocol',
      'byType',
      'conflicts',
      'decoded',
      'entities',
      'frames',
      'journals',
      'queues',
      'undecodable',
    ]);
    expect(summary.frames).toBe(lines.length - 1);
    for (const line of lines.slice(0, -1)) {
      expect(Object.keys(line).sort()).toEqual(line.ok ? ['ok', 'protocol', 'seq', 'type'] : ['error', 'ok', 'protocol', 'seq']);
    }
  });

  it('fails with one line and exit 1 on a bad file, an unknown option or a missing file', async () => {
    const bad = join(tmp, 'bad.syncscope.jsonl');
    writeFileSync(bad, `${JSON.stringify(sessionHeader())}\n{"seq":0}\n`);
    const badRun = await cli('dump', bad);
    expect(badRun.code).toBe(1);
    expect(badRun.stderr).toMatch(/^syncscope: bad\.syncscope\.jsonl:2: not a frame: t: .+\n$/);
    const lenient = await cli('dump', bad, '--lenient', '--json');
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/skipped bad\.syncscope\.jsonl:2/);
    const option = await cli('dump', bad, '--frobnicate');
    expect(option.code).toBe(1);
    expect(option.stderr.trim().split('\n')).toHaveLength(1);
    expect(option.stderr).toMatch(/--frobnicate/);
    const missing = await cli('dump', join(tmp, 'nope.jsonl'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT|no such file/);
    const protocol = await cli('dump', bad, '--protocol', 'nope');
    expect(protocol.stderr).toMatch(/^syncscope: unknown protocol "nope" \(known: /);
  });

  it('never throws on any bytes as frames, through every registered dissector', async () => {
    const registryIds = createRegistry().ids();
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            bytes: fc.uint8Array({ maxLength: 64 }),
            transport: fc.constantFrom('websocket', 'http', 'broadcast', 'worker'),
            asText: fc.boolean(),
            protocol: fc.constantFrom(...registryIds),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        async (items) => {
          const frames = items.map(
            (item, seq): RawFrame => ({
              seq,
              t: seq,
              transport: item.transport as RawFrame['transport'],
              conn: `c${seq % 3}`,
              dir: 'in',
              kind: item.transport === 'http' ? 'response' : 'message',
              ...(item.asText ? { text: new TextDecoder().decode(item.bytes) } : { b64: Buffer.from(item.bytes).toString('base64') }),
            }),
          );
          const file = join(tmp, 'random.syncscope.jsonl');
          writeFileSync(file, writeSession(sessionHeader(), frames));
          const out: string[] = [];
          await dump(file, createRegistry(), { json: true, protocol: items[0]?.protocol }, (line) => out.push(line));
          expect(JSON.parse(out.at(-1) as string).summary.frames).toBe(frames.length);
          out.length = 0;
          await dump(file, createRegistry(), {}, (line) => out.push(line));
          expect(out.length).toBeGreaterThan(frames.length);
        },
      ),
      { numRuns: 150, seed: 9 },
    );
  });
});
