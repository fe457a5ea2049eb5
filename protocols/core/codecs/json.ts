import { jsonErrorOffset } from './json-offset.ts';
import { type Decoded, decoded, failed, reasonOf } from './result.ts';

export function decodeJson(text: string): Decoded<unknown> {
  try {
    return decoded(JSON.parse(text));
  } catch (thrown) {
    return failed('json', reasonOf(thrown), jsonErrorOffset(text));
  }
}

/** Newline-delimited JSON (streamed bootstraps): every non-empty line parsed, the first bad line reported. */
export function decodeNdjson(text: string): Decoded<unknown[]> {
  const values: unknown[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed) {
      const one = decodeJson(trimmed);
      if (!one.ok) return failed('ndjson', `line ${values.length + 1}: ${one.error.reason}`, offset);
      values.push(one.value);
    }
    offset += line.length + 1;
  }
  return decoded(values);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(bytes: Uint8Array): Decoded<string> {
  try {
    return decoded(utf8.decode(bytes));
  } catch (thrown) {
    return failed('text', `not UTF-8: ${reasonOf(thrown)}`);
  }
}

/**
 * Bytes `text` takes as UTF-8, counted without encoding it (sizes of queued items are taken per frame, and a
 * TextEncoder round trip allocated a copy of every one). Lone surrogates count as U+FFFD, as TextEncoder writes them.
 */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
