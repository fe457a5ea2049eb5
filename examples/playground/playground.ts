import { demoUrl, type EngineInfo, loadPlayground } from './api.ts';

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: Array<Node | string>
) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function engineCard(engine: EngineInfo): HTMLElement {
  const status = element('span', { className: 'status' });
  const restart = element('button', { type: 'button', textContent: 'Restart server' });
  restart.addEventListener('click', async () => {
    restart.disabled = true;
    status.textContent = 'restarting…';
    try {
      const response = await fetch(`/api/engines/${engine.id}/restart`, { method: 'POST' });
      const body = (await response.json()) as { error?: string };
      status.textContent = response.ok ? `restarted at ${new Date().toLocaleTimeString()}` : `failed: ${body.error}`;
    } catch (error) {
      status.textContent = `failed: ${(error as Error).message}`;
    } finally {
      restart.disabled = false;
    }
  });
  return element(
    'section',
    { className: 'engine', id: `engine-${engine.id}` },
    element('h2', {}, engine.title),
    element('p', { className: 'meta' }, `${engine.id} · ${engine.note} · server ${engine.url}`),
    element(
      'div',
      { className: 'actions' },
      element('a', { href: demoUrl(engine), className: 'button', textContent: 'Open demo' }),
      element('a', { href: `./pair.html?engine=${engine.id}`, className: 'button', textContent: 'Two clients side by side' }),
      restart,
      status,
    ),
  );
}

loadPlayground().then(
  (info) => {
    (document.getElementById('panel-link') as HTMLAnchorElement).href = info.panel;
    document.getElementById('engines')?.replaceChildren(...info.engines.map(engineCard));
  },
  (error: Error) => {
    document
      .getElementById('engines')
      ?.replaceChildren(element('p', { className: 'error' }, `Could not load the engines: ${error.message}`));
  },
);
