/**
 * Session file v1 (`.syncscope.jsonl`): a header line, then one RawFrame per line. Line-oriented so a recording
 * can be streamed, appended to and grepped; every line is validated on the way in because the file is untrusted.
 */
import { fromTaggedJson, parseRawFrame, type RawFrame, toTaggedJson } from '@syncscope/protocols/core';
import { z } from 'zod';

export const SESSION_FORMAT = 'syncscope-session';
export const SESSION_VERSION = 1;

export const SessionHeader = z.looseObject({
  format: z.literal(SESSION_FORMAT),
  version: z.literal(SESSION_VERSION),
  createdAt: z.iso.datetime({ offset: true }),
  origin: z.string().optional(),
  protocols: z.array(z.string()).optional(),
  /** What the taps replaced before recording (header names, field names, patterns). */
  redactions: z.array(z.string()).optional(),
});
export type SessionHeader = z.infer<typeof SessionHeader>;

export function sessionHeader(fields: Partial<Omit<SessionHeader, 'format' | 'version'>> = {}): SessionHeader {
  return { format: SESSION_FORMAT, version: SESSION_VERSION, createdAt: new Date().toISOString(), ...fields };
}

/** One frame as a line: its `json` payload tagged so that bytes, dates, maps, sets and bigints survive. */
export function frameToLine(frame: RawFrame): string {
  if (frame.json === undefined) return JSON.stringify(frame);
  return JSON.stringify({ ...frame, json: toTaggedJson(frame.json) });
}

export function headerToLine(header: SessionHeader): string {
  return JSON.stringify(header);
}

export function writeSession(header: SessionHeader, frames: Iterable<RawFrame>): string {
  const lines = [headerToLine(header)];
  for (const frame of frames) lines.push(frameToLine(frame));
  return `${lines.join('\n')}\n`;
}

/** A bad line of a session file: where it is and what is wrong with it, printed as `file:line: reason`. */
export class SessionLineError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'SessionLineError';
  }
}

export type LineResult = { ok: true; frame: RawFrame } | { ok: false; reason: string };

export function parseFrameLine(line: string): LineResult {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (thrown) {
    return { ok: false, reason: `not JSON (${thrown instanceof Error ? thrown.message : 'parse error'})` };
  }
  const parsed = parseRawFrame(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return { ok: false, reason: `not a frame: ${where}${issue?.message ?? 'invalid'}` };
  }
  const frame = parsed.data;
  if (frame.json !== undefined) frame.json = fromTaggedJson(frame.json);
  return { ok: true, frame };
}

export function parseHeaderLine(line: string): { ok: true; header: SessionHeader } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'the first line is not JSON, so this is not a syncscope session file' };
  }
  const format = (raw as { format?: unknown } | null)?.format;
  if (format !== SESSION_FORMAT)
    return { ok: false, reason: `the first line has format ${JSON.stringify(format)}, expected "${SESSION_FORMAT}"` };
  const version = (raw as { version?: unknown }).version;
  if (typeof version === 'number' && version > SESSION_VERSION) {
    return { ok: false, reason: `session format version ${version} is newer than this syncscope reads (${SESSION_VERSION})` };
  }
  const parsed = SessionHeader.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `bad header: ${issue?.path.join('.') || 'header'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, header: parsed.data };
}

export interface ReadOptions {
  /** Name used in error messages. */
  file?: string;
  /** Keep going past bad frame lines (each is reported); otherwise the first one stops the read. */
  lenient?: boolean;
  onFrame?: (frame: RawFrame, line: number) => void;
}

export interface ReadResult {
  header: SessionHeader;
  /** Frames read, unless `onFrame` took them. */
  frames: RawFrame[];
  errors: SessionLineError[];
  lines: number;
}

/**
 * Reads a session from its lines as they arrive (any source of text lines, or of batches of lines: a batch per
 * chunk read saves a promise per line on long files). A bad header always fails; a bad frame line fails the read
 * unless `lenient`, and is then reported while the rest loads. `onBatch` runs after each batch (a reader can report
 * progress there, and pause the read by returning a promise).
 */
export async function readSessionLines(
  lines: AsyncIterable<string | readonly string[]> | Iterable<string>,
  options: ReadOptions & { onBatch?: () => Promise<void> | undefined } = {},
): Promise<ReadResult> {
  const file = options.file ?? '<session>';
  let header: SessionHeader | undefined;
  const frames: RawFrame[] = [];
  const errors: SessionLineError[] = [];
  let number = 0;
  const readLine = (line: string): void => {
    number++;
    if (header === undefined) {
      const parsed = parseHeaderLine(line);
      if (!parsed.ok) throw new SessionLineError(file, number, parsed.reason);
      header = parsed.header;
      return;
    }
    if (line.trim() === '') return;
    const result = parseFrameLine(line);
    if (!result.ok) {
      const error = new SessionLineError(file, number, result.reason);
      if (!options.lenient) throw error;
      errors.push(error);
      return;
    }
    if (options.onFrame) options.onFrame(result.frame, number);
    else frames.push(result.frame);
  };
  for await (const item of lines) {
    if (typeof item === 'string') readLine(item);
    else for (const line of item) readLine(line);
    const pause = options.onBatch?.();
    if (pause) await pause;
  }
  if (header === undefined) throw new SessionLineError(file, 1, 'the file is empty: no session header');
  return { header, frames, errors, lines: number };
}

/** Splits a stream of text chunks into lines without ever holding more than one partial line. */
export async function* splitLines(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  for await (const batch of splitLineBatches(chunks)) yield* batch;
}

/** The lines of a stream of text chunks, one batch per chunk (the lines that chunk completed). */
export async function* splitLineBatches(chunks: AsyncIterable<string>): AsyncGenerator<string[]> {
  let rest = '';
  for await (const chunk of chunks) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() as string;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
    }
    if (lines.length) yield lines;
  }
  if (rest.length > 0) yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}

/** Text chunks of a byte stream (a browser File's stream(), a fetch body), decoded as UTF-8 across chunk edges. */
export async function* decodeChunks(stream: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const iterable =
    Symbol.asyncIterator in stream ? (stream as AsyncIterable<Uint8Array>) : readableToIterable(stream as ReadableStream<Uint8Array>);
  for await (const bytes of iterable) yield decoder.decode(bytes, { stream: true });
  const tail = decoder.decode();
  if (tail) yield tail;
}

/** A web ReadableStream as an async iterable (Chromium's streams are not async-iterable everywhere yet). */
export async function* readableToIterable<T>(stream: ReadableStream<T>): AsyncGenerator<T> {
  const reader = stream.getReader();
  let ended = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        return;
      }
      yield value;
    }
  } finally {
    // A reader that stopped early (a bad line) cancels the stream, so that what feeds it (a file being read, a
    // download) stops too instead of running on unread behind it.
    if (!ended) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
