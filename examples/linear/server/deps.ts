/** What the server takes from the protocol folder (the schemas: nothing is declared twice), and one zod helper. */
export * from '@syncscope/protocols/linear';

/** The first zod issue as a dotted field and a message naming it. */
export function zodFirstIssue(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): {
  field: string;
  message: string;
  path: Array<string | number>;
} {
  const first = issues[0];
  const path = (first?.path ?? []).map((p) => (typeof p === 'number' ? p : String(p)));
  const field = path.join('.');
  return { field, path, message: `${field ? `${field}: ` : ''}${first?.message ?? 'invalid'}` };
}
