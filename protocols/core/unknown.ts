/**
 * The dissector of last resort: a connection no protocol claims still shows its payloads, decoded by whatever
 * codec the sniffer recognises, so nothing is hidden just because it is not understood.
 */
import { sniffBytes, sniffText } from './codecs/sniff.ts';
import { defineDissector } from './dissector.ts';
import { emptyModel } from './model.ts';
import { payloadOf } from './payload.ts';

export const UNKNOWN = 'unknown';

export const unknownDissector = defineDissector<unknown, null>({
  id: UNKNOWN,
  label: 'Unknown protocol',
  match: () => 0,
  decode(frame) {
    const payload = payloadOf(frame);
    switch (payload.form) {
      case 'text': {
        const sniffed = sniffText(payload.text);
        return { ok: true, type: sniffed.codec, message: sniffed.value };
      }
      case 'bytes': {
        const sniffed = sniffBytes(payload.bytes);
        return { ok: true, type: sniffed.codec, message: sniffed.value };
      }
      case 'json':
        return { ok: true, type: 'structured', message: payload.value };
      default:
        return { ok: true, type: frame.kind, message: null };
    }
  },
  init: () => null,
  reduce: (state) => state,
  summarize(message) {
    const text = typeof message === 'string' ? message : safeStringify(message);
    return text.length > 120 ? `${text.slice(0, 119)}…` : text;
  },
  model: emptyModel,
});

export function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, readableReplacer) ?? String(value);
  } catch {
    return String(value);
  }
}

/** JSON.stringify replacer that shows what plain JSON would hide or reject. */
function readableReplacer(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, val]) => [String(k), val]));
  if (v instanceof Set) return [...v];
  if (v === undefined) return null;
  return v;
}
