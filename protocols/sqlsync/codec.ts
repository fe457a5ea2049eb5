/**
 * How sqlsync messages go on the wire. The engine's own protocol is one JSON object per WebSocket text message.
 * sqlsync 0.3's replication protocol is bincode (fixint, little endian): a `ReplicationMsg` in a binary message,
 * and for `Frame` the frame's `len` bytes right after it in the same message. Timeline frames are one mutation as
 * UTF-8 JSON; storage frames are sparse pages: N u32 LE page indexes, then N pages of 4096 bytes.
 */
import {
  BincodeError,
  BincodeReader,
  BincodeWriter,
  base58ToBytes,
  bytesToBase58,
  bytesToHex,
  utf8ByteLength,
} from '@syncscope/protocols/core';
import type { EngineMessage, FramePayload, PublicLsnRange, ReplicationMsg } from './schemas.ts';

// ---------------------------------------------------------------------------------------------------------------
// The engine's JSON protocol

export function encodeEngineMessage(message: EngineMessage): string {
  return JSON.stringify(message);
}

/** UTF-8 bytes of a mutation as it travels: what batch sizes are measured in. */
export function mutationSize(mutation: unknown): number {
  return utf8ByteLength(JSON.stringify(mutation));
}

// ---------------------------------------------------------------------------------------------------------------
// sqlsync 0.3 bincode

export const PAGE_SIZE = 4096;
const REPLICATION_VARIANTS = ['RangeRequest', 'Range', 'Frame'] as const;
const LSN_RANGE_VARIANTS = ['Empty', 'NonEmpty'] as const;

/** A bincode decode failure that names the field it was reading and the byte offset. */
export class ReplicationDecodeError extends Error {
  constructor(
    readonly field: string,
    readonly offset: number,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

function field<T>(reader: BincodeReader, name: string, read: () => T): T {
  const at = reader.offset;
  try {
    return read();
  } catch (thrown) {
    if (thrown instanceof ReplicationDecodeError) throw thrown;
    const reason = thrown instanceof Error ? thrown.message : String(thrown);
    throw new ReplicationDecodeError(name, thrown instanceof BincodeError ? thrown.offset : at, reason);
  }
}

function readLsn(reader: BincodeReader, name: string): number {
  return field(reader, name, () => {
    const value = reader.u64();
    if (typeof value === 'bigint') throw new BincodeError(reader.offset - 8, `LSN ${value} is beyond 2^53`);
    return value;
  });
}

function readLsnRange(reader: BincodeReader, name: string): PublicLsnRange {
  const at = reader.offset;
  const tag = field(reader, `${name}.tag`, () => reader.u32());
  const variant = LSN_RANGE_VARIANTS[tag];
  if (!variant) throw new ReplicationDecodeError(`${name}.tag`, at, `LsnRange tag ${tag} is not Empty(0) or NonEmpty(1)`);
  if (variant === 'Empty') return { Empty: { nextlsn: readLsn(reader, `${name}.Empty.nextlsn`) } };
  const first = readLsn(reader, `${name}.NonEmpty.first`);
  const last = readLsn(reader, `${name}.NonEmpty.last`);
  if (first > last) throw new ReplicationDecodeError(`${name}.NonEmpty`, at, `first ${first} > last ${last}`);
  return { NonEmpty: { first, last } };
}

function readJournalId(reader: BincodeReader, name: string): string {
  const at = reader.offset;
  const bytes = field(reader, name, () => reader.bytesField());
  if (bytes.length !== 16 && bytes.length !== 32) {
    throw new ReplicationDecodeError(name, at, `a JournalId is 16 or 32 bytes, got ${bytes.length}`);
  }
  return bytesToBase58(bytes);
}

/** Decodes one binary replication message (and, for Frame, its bytes). Throws ReplicationDecodeError. */
export function decodeReplication(bytes: Uint8Array, direction: 'out' | 'in' | 'local'): ReplicationMsg {
  const reader = new BincodeReader(bytes);
  const tag = field(reader, 'ReplicationMsg.tag', () => reader.u32());
  const variant = REPLICATION_VARIANTS[tag];
  if (!variant) throw new ReplicationDecodeError('ReplicationMsg.tag', 0, `unknown message tag ${tag} (0 RangeRequest, 1 Range, 2 Frame)`);
  let message: ReplicationMsg;
  if (variant === 'RangeRequest') {
    const id = readJournalId(reader, 'RangeRequest.id');
    message = { RangeRequest: { id, source_range: readLsnRange(reader, 'RangeRequest.source_range') } };
  } else if (variant === 'Range') {
    message = { Range: { range: readLsnRange(reader, 'Range.range') } };
  } else {
    const id = readJournalId(reader, 'Frame.id');
    const lsn = readLsn(reader, 'Frame.lsn');
    const len = readLsn(reader, 'Frame.len');
    if (reader.remaining !== len) {
      throw new ReplicationDecodeError('Frame.len', reader.offset, `announces ${len} frame bytes but ${reader.remaining} follow`);
    }
    const body = reader.fixedBytes(len);
    // Frames a client sends are its timeline (mutations); frames it receives are storage (pages).
    const payload = direction === 'out' ? decodeTimelineFrame(body) : decodeStorageFrame(body);
    return { Frame: { id, lsn, len, payload } };
  }
  if (reader.remaining > 0) {
    throw new ReplicationDecodeError(variant, reader.offset, `${reader.remaining} unexpected bytes after the message`);
  }
  return message;
}

function decodeTimelineFrame(body: Uint8Array): FramePayload {
  // The stock mutation encoder writes UTF-8 JSON; a reducer may use another encoding, which is shown as bytes
  // rather than called an error (the frame itself is well formed: its length matched).
  try {
    return { kind: 'mutation', mutation: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body)) };
  } catch {
    return { kind: 'opaque', hex: bytesToHex(body, 64) };
  }
}

function decodeStorageFrame(body: Uint8Array): FramePayload {
  const unit = 4 + PAGE_SIZE;
  if (body.length === 0 || body.length % unit !== 0) {
    throw new ReplicationDecodeError('Frame.bytes', 0, `a storage frame is N x (4 + ${PAGE_SIZE}) bytes; got ${body.length}`);
  }
  const count = body.length / unit;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const pages: Array<{ index: number; nonZeroBytes: number }> = [];
  for (let i = 0; i < count; i++) {
    const start = count * 4 + i * PAGE_SIZE;
    let nonZeroBytes = 0;
    for (let j = start; j < start + PAGE_SIZE; j++) if (body[j] !== 0) nonZeroBytes++;
    pages.push({ index: view.getUint32(i * 4, true), nonZeroBytes });
  }
  return { kind: 'pages', pages };
}

// Encoders: used to build the hand-made public fixtures and the tests, and by nothing on the engine's wire.

function writeLsnRange(writer: BincodeWriter, range: PublicLsnRange): void {
  if ('Empty' in range) writer.u32(0).u64(range.Empty.nextlsn);
  else writer.u32(1).u64(range.NonEmpty.first).u64(range.NonEmpty.last);
}

function journalIdBytes(id: string): Uint8Array {
  const bytes = base58ToBytes(id);
  if (!bytes || (bytes.length !== 16 && bytes.length !== 32)) throw new Error(`${id} is not a base58 16/32-byte JournalId`);
  return bytes;
}

export function encodeRangeRequest(id: string, sourceRange: PublicLsnRange): Uint8Array {
  const writer = new BincodeWriter().u32(0).bytes(journalIdBytes(id));
  writeLsnRange(writer, sourceRange);
  return writer.finish();
}

export function encodeRange(range: PublicLsnRange): Uint8Array {
  const writer = new BincodeWriter().u32(1);
  writeLsnRange(writer, range);
  return writer.finish();
}

export function encodeFrame(id: string, lsn: number, body: Uint8Array): Uint8Array {
  return new BincodeWriter().u32(2).bytes(journalIdBytes(id)).u64(lsn).u64(body.length).raw(body).finish();
}

export function encodeStoragePages(pages: ReadonlyArray<{ index: number; page: Uint8Array }>): Uint8Array {
  const out = new Uint8Array(pages.length * (4 + PAGE_SIZE));
  const view = new DataView(out.buffer);
  pages.forEach(({ index, page }, i) => {
    view.setUint32(i * 4, index, true);
    out.set(page.subarray(0, PAGE_SIZE), pages.length * 4 + i * PAGE_SIZE);
  });
  return out;
}
