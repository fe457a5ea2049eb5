/**
 * Where a Temporalizable keeps its entity: `${id}/entityMeta` ({timeline: validFrom[]}), one snapshot per version
 * under `${id}/snapshot/${validFrom}` ({value, meta}) and the subscriber list under `${id}/subscribers`.
 * A value too large for one storage key is encoded with cbor-x and saved in chunks (`.../chunk/${i}`), and its
 * meta says how many (`meta.chunks`). A new version is committed with one multi-key put (the snapshot, the
 * previous snapshot's validTo, and the timeline), written after its chunks, so a crash never leaves a timeline
 * pointing at a version that is not whole.
 */
import { encodeCbor } from '../../../protocols/core/codecs/cbor.ts';
import { decodeWire } from '../../../protocols/temporal/codec.ts';
import type { EntityValue, Meta } from '../../../protocols/temporal/schemas.ts';
import type { DurableObjectStorage } from './cf-types.ts';

/** Cloudflare's limit for one value of Durable Object storage (128 KiB), with room for the structured-clone overhead. */
export const MAX_VALUE_BYTES = 120 * 1024;
/** Chunk size for values over the limit. */
export const CHUNK_BYTES = 96 * 1024;

export interface Snapshot {
  value: EntityValue;
  meta: Meta;
}

interface StoredSnapshot {
  value?: EntityValue;
  meta: Meta;
}

export class EntityStore {
  private timeline: string[] | undefined;
  private current: Snapshot | undefined;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly id: string,
    /** Tests lower it to exercise chunking with small values. */
    private readonly maxValueBytes = MAX_VALUE_BYTES,
  ) {}

  private key(suffix: string): string {
    return `${this.id}/${suffix}`;
  }

  async versions(): Promise<readonly string[]> {
    if (!this.timeline) {
      const meta = await this.storage.get<{ timeline: string[] }>(this.key('entityMeta'));
      this.timeline = meta?.timeline ?? [];
    }
    return this.timeline;
  }

  async latest(): Promise<Snapshot | undefined> {
    if (this.current) return this.current;
    const last = (await this.versions()).at(-1);
    if (last === undefined) return undefined;
    this.current = await this.snapshot(last);
    return this.current;
  }

  async snapshot(validFrom: string): Promise<Snapshot | undefined> {
    if (this.current?.meta.validFrom === validFrom) return this.current;
    const stored = await this.storage.get<StoredSnapshot>(this.key(`snapshot/${validFrom}`));
    if (!stored) return undefined;
    if (stored.value !== undefined) return { value: stored.value, meta: stored.meta };
    return { value: await this.readChunks(validFrom, stored.meta.chunks ?? 0), meta: stored.meta };
  }

  /** Commits `next` as the newest version, closing the previous one at next.meta.validFrom. */
  async append(next: Snapshot): Promise<Snapshot> {
    const timeline = await this.versions();
    const previous = await this.latest();
    const { meta: plainMeta } = next;
    const { chunks: _dropped, ...metaWithoutChunks } = plainMeta;
    let stored: StoredSnapshot = { value: next.value, meta: metaWithoutChunks };
    const bytes = encodeCbor(next.value);
    if (bytes.byteLength > this.maxValueBytes) stored = await this.writeChunks(next.meta.validFrom, bytes, metaWithoutChunks);
    const entries: Record<string, unknown> = {
      [this.key(`snapshot/${next.meta.validFrom}`)]: stored,
      [this.key('entityMeta')]: { timeline: [...timeline, next.meta.validFrom] },
    };
    if (previous) entries[this.key(`snapshot/${previous.meta.validFrom}`)] = await this.closed(previous, next.meta.validFrom);
    try {
      await this.storage.put(entries);
    } catch (error) {
      // The runtime refused the single-key value after all (its limit may be lower than ours): chunk it and retry.
      if (stored.value === undefined) throw error;
      entries[this.key(`snapshot/${next.meta.validFrom}`)] = await this.writeChunks(next.meta.validFrom, bytes, metaWithoutChunks);
      await this.storage.put(entries);
    }
    this.timeline = [...timeline, next.meta.validFrom];
    const committed = { value: next.value, meta: (entries[this.key(`snapshot/${next.meta.validFrom}`)] as StoredSnapshot).meta };
    this.current = committed;
    return committed;
  }

  /** The previous snapshot as stored, with validTo set; a chunked one keeps its chunks and only its meta changes. */
  private async closed(previous: Snapshot, validTo: string): Promise<StoredSnapshot> {
    const meta = { ...previous.meta, validTo };
    return previous.meta.chunks ? { meta } : { value: previous.value, meta };
  }

  private async writeChunks(validFrom: string, bytes: Uint8Array, meta: Meta): Promise<StoredSnapshot> {
    const count = Math.ceil(bytes.byteLength / CHUNK_BYTES);
    for (let i = 0; i < count; i++) {
      // A view window on the encoded bytes, copied so each stored value is exactly one chunk.
      const window = new Uint8Array(
        bytes.buffer,
        bytes.byteOffset + i * CHUNK_BYTES,
        Math.min(CHUNK_BYTES, bytes.byteLength - i * CHUNK_BYTES),
      );
      await this.storage.put(this.key(`snapshot/${validFrom}/chunk/${i}`), window.slice());
    }
    return { meta: { ...meta, chunks: count } };
  }

  private async readChunks(validFrom: string, count: number): Promise<EntityValue> {
    const keys = Array.from({ length: count }, (_, i) => this.key(`snapshot/${validFrom}/chunk/${i}`));
    const found = await this.storage.get<Uint8Array | ArrayBuffer>(keys);
    const parts = keys.map((k) => {
      const part = found.get(k);
      if (!part) throw new Error(`chunk ${k} is missing`);
      return part instanceof Uint8Array ? part : new Uint8Array(part);
    });
    const whole = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let offset = 0;
    for (const part of parts) {
      whole.set(part, offset);
      offset += part.byteLength;
    }
    const decoded = decodeWire(whole);
    if (!decoded.ok) throw new Error(`chunks of ${validFrom} do not decode: ${decoded.error.reason}`);
    return decoded.value as EntityValue;
  }

  async subscribers(): Promise<string[]> {
    return (await this.storage.get<string[]>(this.key('subscribers'))) ?? [];
  }

  async setSubscribers(list: readonly string[]): Promise<void> {
    await this.storage.put(this.key('subscribers'), [...list]);
  }
}
