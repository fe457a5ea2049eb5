/**
 * Redaction before anything leaves the page: header values, JWT-shaped strings and values of secret-looking fields
 * become "[redacted]". Structured payloads are redacted on the tap's own copy (never the app's object); text is
 * redacted with patterns, without parsing it. Binary payloads are left as they are (no codecs in the page).
 */
import type { RedactionConfig } from '../bridge/messages.ts';

export const REDACTED = '[redacted]';
export const DEFAULT_REDACTED_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key'];
export const DEFAULT_REDACTED_FIELDS = [
  'password',
  'passwd',
  'secret',
  '^token$',
  '^(access|refresh|id|auth|session|bearer)[_-]?token$',
  '^api[_-]?key$',
];
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const JSON_STRING_FIELD = /"((?:[^"\\]|\\.){1,100})"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false|null)/g;

export class Redactor {
  private headers = new Set<string>();
  private fields: RegExp[] = [];
  /** The field patterns without anchors, joined: one cheap test tells whether a text can hold a secret field. */
  private fieldHint: RegExp | undefined;
  private jwt = true;
  /** The same list the recording header carries. */
  list: string[] = [];

  constructor(config: RedactionConfig = {}) {
    this.configure(config);
  }

  configure(config: RedactionConfig): void {
    const headers = config.headers ?? DEFAULT_REDACTED_HEADERS;
    const fields = config.fields ?? DEFAULT_REDACTED_FIELDS;
    this.headers = new Set(headers.map((h) => h.toLowerCase()));
    this.fields = fields.map((f) => new RegExp(f, 'i'));
    this.fieldHint = fields.length ? new RegExp(fields.map((f) => f.replace(/^\^|\$$/g, '')).join('|'), 'i') : undefined;
    this.jwt = config.jwt ?? true;
    this.list = [...headers.map((h) => `header:${h.toLowerCase()}`), ...fields.map((f) => `field:/${f}/i`), ...(this.jwt ? ['jwt'] : [])];
  }

  private secretField(name: string): boolean {
    for (const field of this.fields) if (field.test(name)) return true;
    return false;
  }

  /** Header record with secret values replaced; `hits` collects what was replaced. */
  headerRecord(headers: Record<string, string>, hits: Set<string>): Record<string, string> {
    let out: Record<string, string> | undefined;
    for (const name in headers) {
      if (this.headers.has(name.toLowerCase())) {
        out ??= { ...headers };
        out[name] = REDACTED;
        hits.add(`header:${name.toLowerCase()}`);
      }
    }
    return out ?? headers;
  }

  text(text: string, hits: Set<string>): string {
    let out = text;
    if (this.jwt && out.includes('eyJ')) {
      out = out.replace(JWT, () => {
        hits.add('jwt');
        return REDACTED;
      });
    }
    if (this.fieldHint?.test(out) && out.includes('"')) {
      out = out.replace(JSON_STRING_FIELD, (whole, key: string, colon: string) => {
        if (!this.secretField(key)) return whole;
        hits.add(`field:${key}`);
        return `"${key}"${colon}"${REDACTED}"`;
      });
    }
    return out;
  }

  /** Redacts a structured value in place: it must be the tap's own copy. Depth-bounded, cycle-safe. */
  value(value: unknown, hits: Set<string>, depth = 0, seen = new Set<object>()): unknown {
    if (typeof value === 'string') return this.jwt && value.includes('eyJ') ? this.text(value, hits) : value;
    if (value === null || typeof value !== 'object' || depth > 32 || seen.has(value)) return value;
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date) return value;
    seen.add(value);
    if (value instanceof Map) {
      for (const [k, v] of value) {
        if (typeof k === 'string' && this.secretField(k)) {
          hits.add(`field:${k}`);
          value.set(k, REDACTED);
        } else value.set(k, this.value(v, hits, depth + 1, seen));
      }
      return value;
    }
    if (value instanceof Set) return value;
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!Array.isArray(record) && this.secretField(key) && record[key] !== null && typeof record[key] !== 'object') {
        hits.add(`field:${key}`);
        record[key] = REDACTED;
      } else record[key] = this.value(record[key], hits, depth + 1, seen);
    }
    return value;
  }

  /** Query parameters named like secrets, in a URL. */
  url(url: string, hits: Set<string>): string {
    const query = url.indexOf('?');
    let out = url;
    if (query >= 0 && this.fields.length) {
      out =
        url.slice(0, query) +
        url.slice(query).replace(/([?&])([^=&#]+)=([^&#]*)/g, (whole, sep: string, name: string) => {
          if (!this.secretField(decodeURIComponent(name))) return whole;
          hits.add(`field:${name}`);
          return `${sep}${name}=${encodeURIComponent(REDACTED)}`;
        });
    }
    return this.jwt && out.includes('eyJ') ? this.text(out, hits) : out;
  }
}
