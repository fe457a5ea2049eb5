/** A collapsible tree of a decoded value. Every leaf is a text node: payloads never become HTML. */
import { toDisplayJson } from './format.ts';

const MAX_CHILDREN = 500;

export function ValueTree({ value, name, depth = 0 }: { value: unknown; name?: string; depth?: number }) {
  const label = name === undefined ? null : <span class="tree-key">{name}: </span>;
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array || value instanceof Date) {
    return (
      <div class="tree-leaf">
        {label}
        <span class={`tree-value tree-${leafKind(value)}`}>{leafText(value)}</span>
      </div>
    );
  }
  const entries: Array<[string, unknown]> =
    value instanceof Map
      ? [...value.entries()].map(([k, v]) => [String(k), v])
      : value instanceof Set
        ? [...value].map((v, i) => [String(i), v])
        : Object.entries(value as object);
  const isArray = Array.isArray(value);
  const summary = isArray ? `Array(${entries.length})` : value instanceof Map ? `Map(${entries.length})` : `{${entries.length}}`;
  return (
    <details class="tree-node" open={depth < 2}>
      <summary>
        {label}
        <span class="tree-summary">{summary}</span>
      </summary>
      <div class="tree-children">
        {entries.slice(0, MAX_CHILDREN).map(([k, v]) => (
          <ValueTree key={k} name={k} value={v} depth={depth + 1} />
        ))}
        {entries.length > MAX_CHILDREN ? <div class="muted">… {entries.length - MAX_CHILDREN} more</div> : null}
      </div>
    </details>
  );
}

function leafKind(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return 'bytes';
  return typeof value;
}

function leafText(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'undefined';
  return toDisplayJson(value, 0);
}
