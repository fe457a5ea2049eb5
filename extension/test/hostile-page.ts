/**
 * A hostile page for the extension e2e tests: the test app's page plus a toolkit, in the page's own world, that
 * posts whatever it is given where the extension's relay listens (window.postMessage), keeps every message the
 * page itself receives (so a test can check that nothing of another tab reached it) and builds the values that
 * cannot cross from Node (tens of MB, non-cloneable values, deep nesting, posts from a child frame).
 */
import type { Page } from 'playwright-core';
import { startTestApp, type TestApp } from './app.ts';

const TOOLKIT = `<script>
  (() => {
    const seen = [];
    window.addEventListener('message', (e) => {
      let text;
      try { text = JSON.stringify(e.data); } catch { text = '(not JSON)'; }
      seen.push(typeof text === 'string' ? text.slice(0, 4096) : typeof e.data);
    });
    const post = (value) => window.postMessage(value, '*');
    const frame = (over) => ({ seq: 900000, t: Date.now(), transport: 'websocket', conn: 'hostile-ws', dir: 'in', kind: 'message', ...over });
    const frames = (list) => ({ source: 'syncscope-hook', v: 1, event: { type: 'frames', frames: list, dropped: 0 } });
    window.hostile = {
      seen,
      /** Each text is parsed here, so keys such as __proto__ arrive as own properties, as a page would craft them. */
      forge: (texts) => { for (const text of texts) post(JSON.parse(text)); },
      /** Values structured clone refuses: postMessage throws in the page, nothing leaves it. */
      uncloneable: () => {
        const values = [
          frames([frame({ json: () => 1 })]),
          frames([frame({ json: Symbol('x') })]),
          { source: 'syncscope-hook', v: 1, event: { type: 'frames', frames: [], dropped: 0, toJSON: () => ({}) } },
          frames([frame({ json: { node: document.body } })]),
        ];
        return values.map((value) => { try { post(value); return 'posted'; } catch (error) { return error.name; } });
      },
      /** A valid-looking hook message from a child frame: not the page's own window, so not the hook. */
      fromChildFrame: (text) => new Promise((resolve) => {
        const iframe = document.createElement('iframe');
        iframe.srcdoc = '<script>parent.postMessage(' + JSON.stringify(JSON.parse(text)) + ', "*")<' + '/script>';
        iframe.onload = () => resolve(undefined);
        document.body.append(iframe);
      }),
      /** One frame of \`megabytes\` MB of text, ending with \`tail\`. */
      big: (megabytes, tail) => post(frames([frame({ conn: 'hostile-big', text: 'x'.repeat(megabytes * 1024 * 1024) + tail })])),
      /**
       * A json payload nested as deep as structured clone still takes (recursion bait for every hop after it),
       * trying \`depths\` from the first; returns the depth posted, or 0.
       */
      deep: (depths, mark) => {
        for (const depth of depths) {
          let value = [mark];
          for (let i = 0; i < depth; i++) value = [value];
          try { post(frames([frame({ conn: 'hostile-deep', json: value })])); return depth; } catch {}
        }
        return 0;
      },
      /** Posts on a BroadcastChannel of this origin (such as the worker bridge's) as a worker's hook would. */
      broadcast: (name, text) => {
        const channel = new BroadcastChannel(name);
        channel.postMessage(JSON.parse(text));
        channel.close();
      },
      /** Chunk messages that never complete, and chunk headers that lie, posted where the relay listens. */
      chunkFlood: (count, mark) => {
        const b64 = btoa(mark.padEnd(768, '.'));
        for (let i = 0; i < count; i++) post({ source: 'syncscope-hook', v: 1, type: 'chunk', id: 'flood-' + i, index: 0, count: 1e9, b64 });
        const lies = [
          { id: 'lie-index', index: 5, count: 2, b64 },
          { id: 'lie-negative', index: -1, count: 2, b64 },
          { id: 'lie-zero', index: 0, count: 0, b64 },
          { id: 'lie-fraction', index: 0.5, count: 2, b64 },
          { id: 'lie-huge', index: 0, count: 2, b64: 'QUFB'.repeat(4 * 1024 * 1024) },
          { id: 'lie-last', index: 1, count: 2, b64 },
          { id: 'lie-last', index: 1, count: 2, b64 },
          { id: 'lie-not-b64', index: 0, count: 1, b64: '!!' + mark },
        ];
        for (const lie of lies) post({ source: 'syncscope-hook', v: 1, type: 'chunk', ...lie });
        for (const source of ['syncscope-relay', 'syncscope-background', 'syncscope-panel']) {
          post({ source, v: 1, type: 'chunk', id: 'as-' + source, index: 0, count: 1, b64: btoa(JSON.stringify(frames([frame({ text: mark })]))) });
        }
      },
    };
  })();
</script>`;

export interface Hostile {
  seen: string[];
  forge(texts: string[]): void;
  uncloneable(): string[];
  fromChildFrame(text: string): Promise<void>;
  big(megabytes: number, tail: string): void;
  deep(depths: number[], mark: string): number;
  chunkFlood(count: number, mark: string): void;
  broadcast(name: string, text: string): void;
}

/** The hostile site: the test app (its page opens a WebSocket and gets acks) with the toolkit above in its page. */
export const startHostileSite = (): Promise<TestApp> => startTestApp({ head: TOOLKIT });

type WithToolkit = { hostile: Hostile };

/** A message given as JSON text, parsed in the page: how to send keys such as `__proto__` as own properties. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** The toolkit of a hostile page, driven from the test. */
export const hostileOf = (page: Page) => ({
  seen: () => page.evaluate(() => (window as unknown as WithToolkit).hostile.seen),
  forge: (messages: unknown[]) =>
    page.evaluate(
      (texts) => (window as unknown as WithToolkit).hostile.forge(texts),
      messages.map((m) => (m instanceof RawJson ? m.text : JSON.stringify(m))),
    ),
  uncloneable: () => page.evaluate(() => (window as unknown as WithToolkit).hostile.uncloneable()),
  fromChildFrame: (message: unknown) =>
    page.evaluate((text) => (window as unknown as WithToolkit).hostile.fromChildFrame(text), JSON.stringify(message)),
  big: (megabytes: number, tail: string) =>
    page.evaluate(([mb, t]) => (window as unknown as WithToolkit).hostile.big(mb as number, t as string), [megabytes, tail] as const),
  deep: (depths: number[], mark: string) =>
    page.evaluate(([d, m]) => (window as unknown as WithToolkit).hostile.deep(d as number[], m as string), [depths, mark] as const),
  broadcast: (name: string, message: unknown) =>
    page.evaluate(([n, t]) => (window as unknown as WithToolkit).hostile.broadcast(n as string, t as string), [
      name,
      JSON.stringify(message),
    ] as const),
  chunkFlood: (count: number, mark: string) =>
    page.evaluate(([c, m]) => (window as unknown as WithToolkit).hostile.chunkFlood(c as number, m as string), [count, mark] as const),
});
