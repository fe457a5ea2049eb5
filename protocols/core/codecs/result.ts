import { z } from 'zod';

export const CodecName = z.enum(['text', 'json', 'cbor', 'msgpack', 'bincode', 'ndjson', 'xml', 'bytes']);
export type CodecName = z.infer<typeof CodecName>;

/** Why a payload did not decode: which codec, where in the bytes (when known), and what it found there. */
export const CodecError = z.object({
  codec: CodecName,
  offset: z.number().int().nonnegative().optional(),
  reason: z.string(),
});
export type CodecError = z.infer<typeof CodecError>;

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: CodecError };

export const decoded = <T>(value: T): Decoded<T> => ({ ok: true, value });
export const failed = (codec: CodecName, reason: string, offset?: number): Decoded<never> => ({
  ok: false,
  error: offset === undefined ? { codec, reason } : { codec, reason, offset },
});

/** Error text of anything thrown, without trusting it to be an Error. */
export function reasonOf(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  return typeof thrown === 'string' ? thrown : 'unknown error';
}
