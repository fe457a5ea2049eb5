import { describe, expect, it } from 'vitest';
import { MAX_ERROR_CHARS, PanelSession } from './session.ts';

describe('PanelSession tap errors', () => {
  it('keeps a short tap error whole, and clips one of any size the page sends so the banner stays small', () => {
    const session = new PanelSession();
    session.accept({ type: 'tap-error', tap: 'fetch', message: '<b>boom</b>' });
    expect(session.lastError).toBe('tap fetch: <b>boom</b>');
    session.accept({ type: 'tap-error', tap: 'ws', message: 'x'.repeat(1_000_000) });
    expect(session.lastError?.length).toBeLessThan(MAX_ERROR_CHARS + 50);
    expect(session.lastError).toMatch(/^tap ws: x+… \(998008 more characters\)$/);
  });
});
