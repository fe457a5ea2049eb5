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
    return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `<${v.length} bytes>` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}
