/**
 * Messages bigger than a channel allows cross as Chunk messages. The split is decided by measuring the message's
 * UTF-8 JSON size against the channel's budget — never by sending and catching the browser's error text. A chunk
 * carries base64 of a byte range, so its size is known exactly whatever characters the message holds.
 */
import { base64ToBytes, bytesToBase64 } from '@syncscope/protocols/core';
import { BRIDGE_VERSION, type SOURCE } from './constants.ts';
import { Chunk, parseMessage } from './messages.ts';

/** Chrome refuses runtime messages over 64 MiB of JSON; we stay far below so big batches do not stall the port. */
export const CHROME_RUNTIME_MESSAGE_LIMIT = 64 * 1024 * 1024;
export const DEFAULT_PORT_BUDGET = 8 * 1024 * 1024;
/** Room for the chunk envelope's own fields. */
const ENVELOPE_BYTES = 512;

type Source = (typeof SOURCE)[keyof typeof SOURCE];

let counter = 0;
const newId = () => `${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * The messages to post for `message` on a channel whose messages must stay under `budget` bytes of JSON: the
 * message itself when it fits, otherwise Chunk messages that `ChunkAssembler` puts back together.
 */
export function splitForChannel(message: unknown, source: Source, budget = DEFAULT_PORT_BUDGET): unknown[] {
  if (budget <= ENVELOPE_BYTES * 2) throw new RangeError(`channel budget ${budget} is too small for a chunk envelope`);
  const json = JSON.stringify(message);
  // A JSON string's UTF-8 size is at most 3 bytes per UTF-16 unit: skip the encode when it surely fits.
  if (json.length * 3 <= budget) return [message];
  const bytes = new TextEncoder().encode(json);
  if (bytes.length <= budget) return [message];
  // base64 turns 3 bytes into 4 characters: a multiple of 3 keeps every chunk padding-free except the last.
  const slice = Math.floor(((budget - ENVELOPE_BYTES) * 3) / 4 / 3) * 3;
  const count = Math.ceil(bytes.length / slice);
  const id = newId();
  const chunks: Chunk[] = [];
  for (let index = 0; index < count; index++) {
    const b64 = bytesToBase64(bytes.subarray(index * slice, (index + 1) * slice));
    chunks.push({ source, v: BRIDGE_VERSION, type: 'chunk', id, index, count, b64 });
  }
  return chunks;
}

export type AssembleResult = { kind: 'message'; message: unknown } | { kind: 'partial' } | { kind: 'error'; error: string };

interface Pending {
  count: number;
  parts: Array<Uint8Array | undefined>;
  received: number;
  bytes: number;
}

/**
 * Puts chunked messages back together. The sender is untrusted: chunk fields are validated, the total size and the
 * number of half-received messages are bounded, and a bad chunk drops its message with an error, never a throw.
 */
export class ChunkAssembler {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly maxMessageBytes = 512 * 1024 * 1024,
    private readonly maxPending = 16,
  ) {}

  /** Feed every message received on the channel; non-chunks come straight back. */
  accept(data: unknown): AssembleResult {
    if ((data as { type?: unknown } | null)?.type !== 'chunk') return { kind: 'message', message: data };
    const parsed = parseMessage(Chunk, data);
    if (!parsed.ok) return { kind: 'error', error: `bad chunk: ${parsed.error}` };
    const chunk = parsed.message;
    let entry = this.pending.get(chunk.id);
    if (!entry) {
      if (this.pending.size >= this.maxPending) {
        const oldest = this.pending.keys().next().value as string;
        this.pending.delete(oldest);
      }
      entry = { count: chunk.count, parts: new Array(chunk.count), received: 0, bytes: 0 };
      this.pending.set(chunk.id, entry);
    }
    const fail = (error: string): AssembleResult => {
      this.pending.delete(chunk.id);
      return { kind: 'error', error: `chunked message ${chunk.id}: ${error}` };
    };
    if (chunk.count !== entry.count) return fail(`chunk ${chunk.index} says ${chunk.count} chunks, the first said ${entry.count}`);
    if (chunk.index >= entry.count) return fail(`chunk index ${chunk.index} is not below its count ${entry.count}`);
    if (entry.parts[chunk.index]) return fail(`chunk ${chunk.index} arrived twice`);
    let bytes: Uint8Array;
    try {
      bytes = base64ToBytes(chunk.b64);
    } catch {
      return fail(`chunk ${chunk.index} is not base64`);
    }
    entry.bytes += bytes.length;
    if (entry.bytes > this.maxMessageBytes) return fail(`exceeds ${this.maxMessageBytes} bytes`);
    entry.parts[chunk.index] = bytes;
    entry.received++;
    if (entry.received < entry.count) return { kind: 'partial' };
    this.pending.delete(chunk.id);
    const whole = new Uint8Array(entry.bytes);
    let offset = 0;
    for (const part of entry.parts as Uint8Array[]) {
      whole.set(part, offset);
      offset += part.length;
    }
    try {
      return { kind: 'message', message: JSON.parse(new TextDecoder().decode(whole)) };
    } catch (thrown) {
      return {
        kind: 'error',
        error: `chunked message ${chunk.id} is not JSON (${thrown instanceof Error ? thrown.message : 'parse error'})`,
      };
    }
  }

  get inFlight(): number {
    return this.pending.size;
  }
}
