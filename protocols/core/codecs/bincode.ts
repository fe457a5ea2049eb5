/**
 * bincode 1.x with serde's default ("fixint", little endian) layout, as sqlsync writes it: integers at their full
 * width, enum variants as u32 tags, sequence/string/byte lengths as u64, Option as a 0/1 byte. bincode carries no
 * type information, so decoding follows a layout description; a reader can also be driven by hand when the
 * layout depends on what came before (a header followed by raw bytes).
 */
import { type Decoded, decoded, failed } from './result.ts';

export type BincodeLayout =
  | 'u8'
  | 'u16'
  | 'u32'
  | 'u64'
  | 'i32'
  | 'i64'
  | 'bool'
  | 'string'
  | 'bytes'
  | { fixedBytes: number }
  | { option: BincodeLayout }
  | { seq: BincodeLayout }
  | { struct: ReadonlyArray<readonly [string, BincodeLayout]> }
  /** Variants by tag order; a decoded enum is `{ [variant]: fields }` (unit variants: `{ [variant]: null }`). */
  | { enum: ReadonlyArray<readonly [string, BincodeLayout | null]> };

export class BincodeError extends Error {
  constructor(
    readonly offset: number,
    reason: string,
  ) {
    super(reason);
  }
}

// A length beyond this is treated as corrupt input rather than allocated: no sync frame is near 1 GiB.
const MAX_LENGTH = 1 << 30;

export class BincodeReader {
  offset = 0;
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(count: number, what: string): void {
    if (this.remaining < count) {
      throw new BincodeError(this.offset, `truncated: ${what} needs ${count} bytes, ${this.remaining} left`);
    }
  }

  u8(): number {
    this.need(1, 'u8');
    return this.view.getUint8(this.offset++);
  }
  u16(): number {
    this.need(2, 'u16');
    const v = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return v;
  }
  u32(): number {
    this.need(4, 'u32');
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }
  i32(): number {
    this.need(4, 'i32');
    const v = this.view.getInt32(this.offset, true);
    this.offset += 4;
    return v;
  }
  /** u64 as a number when it is exact, as a bigint beyond 2^53. */
  u64(): number | bigint {
    this.need(8, 'u64');
    const v = this.view.getBigUint64(this.offset, true);
    this.offset += 8;
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  i64(): number | bigint {
    this.need(8, 'i64');
    const v = this.view.getBigInt64(this.offset, true);
    this.offset += 8;
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  length(what: string): number {
    const at = this.offset;
    const n = this.u64();
    if (typeof n === 'bigint' || n > MAX_LENGTH) throw new BincodeError(at, `${what} length ${n} is implausible`);
    return n;
  }
  bool(): boolean {
    const at = this.offset;
    const b = this.u8();
    if (b > 1) throw new BincodeError(at, `bool byte is ${b}, expected 0 or 1`);
    return b === 1;
  }
  fixedBytes(count: number): Uint8Array {
    this.need(count, `${count} bytes`);
    const out = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return out;
  }
  bytesField(): Uint8Array {
    return this.fixedBytes(this.length('bytes'));
  }
  string(): string {
    const at = this.offset;
    const raw = this.fixedBytes(this.length('string'));
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new BincodeError(at, 'string is not UTF-8');
    }
  }

  read(layout: BincodeLayout, path = '$'): unknown {
    switch (layout) {
      case 'u8':
        return this.u8();
      case 'u16':
        return this.u16();
      case 'u32':
        return this.u32();
      case 'u64':
        return this.u64();
      case 'i32':
        return this.i32();
      case 'i64':
        return this.i64();
      case 'bool':
        return this.bool();
      case 'string':
        return this.string();
      case 'bytes':
        return this.bytesField();
    }
    if ('fixedBytes' in layout) return this.fixedBytes(layout.fixedBytes);
    if ('option' in layout) return this.bool() ? this.read(layout.option, path) : null;
    if ('seq' in layout) {
      const n = this.length(`${path} sequence`);
      // Every element takes at least one byte: a longer count than bytes left is corrupt, not a reason to loop.
      if (n > this.remaining) throw new BincodeError(this.offset - 8, `${path}: ${n} elements but ${this.remaining} bytes left`);
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(this.read(layout.seq, `${path}[${i}]`));
      return out;
    }
    if ('struct' in layout) {
      const out: Record<string, unknown> = {};
      for (const [name, field] of layout.struct) out[name] = this.read(field, `${path}.${name}`);
      return out;
    }
    const at = this.offset;
    const tag = this.u32();
    const variant = layout.enum[tag];
    if (!variant) throw new BincodeError(at, `${path}: enum tag ${tag} is not one of 0..${layout.enum.length - 1}`);
    const [name, fields] = variant;
    return { [name]: fields === null ? null : this.read(fields, `${path}.${name}`) };
  }
}

/** Decodes one value of `layout` from the start of `bytes`; `rest` is what follows it (bytes a header announced). */
export function decodeBincode(bytes: Uint8Array, layout: BincodeLayout): Decoded<{ value: unknown; rest: Uint8Array }> {
  const reader = new BincodeReader(bytes);
  try {
    const value = reader.read(layout);
    return decoded({ value, rest: bytes.subarray(reader.offset) });
  } catch (thrown) {
    if (thrown instanceof BincodeError) return failed('bincode', thrown.message, thrown.offset);
    return failed('bincode', String(thrown), reader.offset);
  }
}

/** The writer mirrors the reader so engines and tests produce exactly the bytes the reader expects. */
export class BincodeWriter {
  private chunks: number[] = [];

  u8(v: number): this {
    this.chunks.push(v & 0xff);
    return this;
  }
  u32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    this.chunks.push(...b);
    return this;
  }
  u64(v: number | bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
    this.chunks.push(...b);
    return this;
  }
  bool(v: boolean): this {
    return this.u8(v ? 1 : 0);
  }
  raw(bytes: Uint8Array): this {
    for (const b of bytes) this.chunks.push(b);
    return this;
  }
  bytes(bytes: Uint8Array): this {
    return this.u64(bytes.length).raw(bytes);
  }
  string(text: string): this {
    return this.bytes(new TextEncoder().encode(text));
  }

  write(layout: BincodeLayout, value: unknown): this {
    switch (layout) {
      case 'u8':
        return this.u8(Number(value));
      case 'u16': {
        const b = new Uint8Array(2);
        new DataView(b.buffer).setUint16(0, Number(value), true);
        return this.raw(b);
      }
      case 'u32':
      case 'i32':
        return this.u32(Number(value) >>> 0);
      case 'u64':
      case 'i64':
        return this.u64(BigInt.asUintN(64, BigInt(value as number | bigint)));
      case 'bool':
        return this.bool(Boolean(value));
      case 'string':
        return this.string(String(value));
      case 'bytes':
        return this.bytes(value as Uint8Array);
    }
    if ('fixedBytes' in layout) return this.raw(value as Uint8Array);
    if ('option' in layout) return value === null || value === undefined ? this.u8(0) : this.u8(1).write(layout.option, value);
    if ('seq' in layout) {
      const items = value as unknown[];
      this.u64(items.length);
      for (const item of items) this.write(layout.seq, item);
      return this;
    }
    if ('struct' in layout) {
      const record = value as Record<string, unknown>;
      for (const [name, field] of layout.struct) this.write(field, record[name]);
      return this;
    }
    const [name] = Object.keys(value as object);
    const tag = layout.enum.findIndex(([variant]) => variant === name);
    if (tag < 0) throw new Error(`unknown variant ${name}`);
    this.u32(tag);
    const fields = layout.enum[tag]?.[1];
    return fields ? this.write(fields, (value as Record<string, unknown>)[name as string]) : this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}
