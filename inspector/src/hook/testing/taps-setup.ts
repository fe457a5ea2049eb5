/**
 * A vitest setup file that runs a test file with the page taps installed: every frame the code under test produces
 * is recorded into a SessionStore, and after the file's tests every recorded frame must decode with a known
 * protocol. Add it to a browser project's `setupFiles` to check an engine both ways at once: its own tests must
 * still pass (transparency), and what the taps saw must be understood (no `unknown`, no undecodable frame).
 *
 * The test runner's own traffic (vitest's and vite's sockets and module requests) is left out of the check.
 */
import { afterAll, expect } from 'vitest';
import { recordHook } from '../../sinks/store-sink.ts';
import { decodeProblems, SessionStore } from '../../store/index.ts';
import { installHook } from '../install.ts';

/** Connections of the test runner itself, not of the code under test. */
export function isRunnerTraffic(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const { pathname } = new URL(url, 'http://localhost');
    return pathname.startsWith('/__vitest') || pathname.startsWith('/@') || pathname.startsWith('/__vite') || pathname === '/';
  } catch {
    return false;
  }
}

const hook = installHook({ bridge: false });
const recording = recordHook(hook, new SessionStore());
const urls = new Map<string, string>();

afterAll(async () => {
  await new Promise((resolve) => setTimeout(resolve, 0));
  const store = recording.stop();
  hook.uninstall();
  for (const frame of store.frames()) if (frame.meta?.url && !urls.has(frame.conn)) urls.set(frame.conn, frame.meta.url);
  const problems = decodeProblems(store, (frame) => isRunnerTraffic(urls.get(frame.conn)));
  const described = problems.map(({ frame, info }) => ({
    conn: frame.conn,
    transport: frame.transport,
    kind: frame.kind,
    url: urls.get(frame.conn),
    channel: frame.meta?.channel,
    db: frame.meta?.db,
    protocol: info?.protocol ?? 'undecided',
    error: info?.error?.reason,
  }));
  expect(described, 'frames the taps recorded that no dissector decoded').toEqual([]);
});
