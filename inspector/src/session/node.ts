/** Node-side session reading: files are streamed line by line, never read into one string. */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { RawFrame } from '@syncscope/protocols/core';
import { importHar } from './har.ts';
import { type ReadOptions, readSessionLines, type SessionHeader, type SessionLineError } from './session-file.ts';

export interface LoadedSession {
  kind: 'session' | 'har';
  header?: SessionHeader;
  frames: RawFrame[];
  /** Bad lines (session, with --lenient) or bad entries (HAR), as `file:where: reason`. */
  problems: string[];
}

export async function readSessionFile(path: string, options: Omit<ReadOptions, 'file'> = {}) {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY });
  return readSessionLines(lines, { ...options, file: basename(path) });
}

/** Opens a session file or a HAR, chosen by extension (.har) or, failing that, by the first byte. */
export async function loadSessionOrHar(path: string, options: { lenient?: boolean } = {}): Promise<LoadedSession> {
  if (path.toLowerCase().endsWith('.har')) {
    let document: unknown;
    try {
      document = JSON.parse(await readFile(path, 'utf8'));
    } catch (thrown) {
      throw new Error(`${basename(path)}: not JSON (${thrown instanceof Error ? thrown.message : 'parse error'})`);
    }
    const { frames, errors } = importHar(document);
    const problems = errors.map((e) => `${basename(path)}:entry ${e.entry}: ${e.reason}`);
    if (problems.length && !options.lenient) throw new Error(problems[0]);
    return { kind: 'har', frames, problems };
  }
  const result = await readSessionFile(path, options);
  return { kind: 'session', header: result.header, frames: result.frames, problems: result.errors.map((e: SessionLineError) => e.message) };
}
