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
