/**
 * A session for the panel's tests and screenshots made of the protocols' own public fixtures, one after another on
 * a shared clock, connection ids prefixed by the fixture so they never collide. Built from real fixture files so
 * every view shows what the real dissectors derive.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RawFrame } from '@syncscope/protocols/core';
import { parseFrameLine, sessionHeader, writeSession } from '../../session/session-file.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

export function fixtureFiles(): string[] {
  const out: string[] = [];
  for (const protocol of readdirSync(join(root, 'protocols'), { withFileTypes: true })) {
    if (!protocol.isDirectory() || protocol.name === 'core') continue;
    const dir = join(root, 'protocols', protocol.name, 'fixtures');
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.syncscope.jsonl'));
    } catch {
      continue;
    }
    for (const name of names.sort()) out.push(join(dir, name));
  }
  return out;
}

/** Frames of every fixture, renumbered and re-timed 50 ms apart within a fixture and 2 s between fixtures. */
export function demoFrames(): RawFrame[] {
  const frames: RawFrame[] = [];
  let t = Date.UTC(2026, 10, 20, 9, 0, 0);
  for (const file of fixtureFiles()) {
    const tag = `${file.split('/').slice(-3, -2)[0]}:${(file.split('/').pop() ?? '').replace('.syncscope.jsonl', '').replace(/^public-/, '')}`;
    const lines = readFileSync(file, 'utf8').split('\n').slice(1);
    let first: number | undefined;
    for (const line of lines) {
      if (!line.trim()) continue;
      const parsed = parseFrameLine(line);
      if (!parsed.ok) continue;
      const frame = parsed.frame;
      first ??= frame.t;
      frames.push({ ...frame, seq: frames.length, t: t + Math.min(frame.t - first, 1500), conn: `${tag}/${frame.conn}` });
    }
    t += 2000;
  }
  return frames;
}

export function demoSessionText(): string {
  return writeSession(sessionHeader({ origin: 'http://127.0.0.1/demo', redactions: ['header:authorization'] }), demoFrames());
}
