/**
 * How linear messages go on the wire. Bootstraps are NDJSON: one JSON object per line, or `ModelName={json}`, and
 * a last line `_metadata_={json}` (Linear's production format, which the engine follows). Socket `cmd` frames are
 * JSON text, or MessagePack bytes when a client asks for the binary protocol. Parsing here turns text into raw
 * values with the line they came from; checking them against the schemas is decode.ts's job.
 */
import { type CodecError, decodeJson, decodeMsgpack, encodeMsgpack } from '../core/index.ts';
import type { BootstrapMetadata, JsonModel, SyncAction, Tombstone } from './schemas.ts';

export const METADATA_PREFIX = '_metadata_=';

export type RawLine =
  | { form: 'metadata'; value: unknown }
  | { form: 'prefixed'; modelName: string; value: unknown }
  | { form: 'object'; value: unknown };

/** Splits an NDJSON body into raw lines; the first line that is not JSON is reported with its line number. */
export function parseNdjsonLines(text: string): { ok: true; lines: RawLine[] } | { ok: false; line: number; error: CodecError } {
  const lines: RawLine[] = [];
  let number = 0;
  let offset = 0;
  for (const raw of text.split('\n')) {
    number += 1;
    const line = raw.trim();
    const lineOffset = offset;
    offset += raw.length + 1;
    if (!line) continue;
    let form: RawLine['form'] = 'object';
    let modelName = '';
    let json = line;
    if (line.startsWith(METADATA_PREFIX)) {
      form = 'metadata';
      json = line.slice(METADATA_PREFIX.length);
    } else {
      const prefixed = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line);
      if (prefixed?.[1]) {
        form = 'prefixed';
        modelName = prefixed[1];
        json = line.slice(prefixed[0].length);
      }
    }
    const parsed = decodeJson(json);
    if (!parsed.ok) {
      return { ok: false, line: number, error: { ...parsed.error, codec: 'ndjson', offset: lineOffset + (parsed.error.offset ?? 0) } };
    }
    lines.push(form === 'prefixed' ? { form, modelName, value: parsed.value } : { form, value: parsed.value });
  }
  return { ok: true, lines };
}

export type BootstrapItem =
  | { kind: 'model'; model: JsonModel }
  | { kind: 'tombstone'; tombstone: Tombstone }
  | { kind: 'action'; action: SyncAction }
  | { kind: 'metadata'; metadata: BootstrapMetadata };

/** One bootstrap item as an NDJSON line (with its newline). */
export function encodeBootstrapLine(item: BootstrapItem): string {
  switch (item.kind) {
    case 'model':
      return `${JSON.stringify(item.model)}\n`;
    case 'tombstone':
      return `${JSON.stringify(item.tombstone)}\n`;
    case 'action':
      return `${JSON.stringify({ ...item.action, __class: 'SyncAction' })}\n`;
    case 'metadata':
      return `${METADATA_PREFIX}${JSON.stringify(item.metadata)}\n`;
  }
}

/** A socket command as the wire carries it: JSON text, or MessagePack bytes for binary clients. */
export function encodeCommand(command: unknown, binary = false): string | Uint8Array {
  return binary ? encodeMsgpack(command) : JSON.stringify(command);
}

export { decodeJson, decodeMsgpack };
