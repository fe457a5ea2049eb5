import { demoUrl, loadPlayground } from './api.ts';

const id = new URLSearchParams(location.search).get('engine');
loadPlayground().then((info) => {
  const engine = info.engines.find((e) => e.id === id);
  const title = document.getElementById('pair-title') as HTMLElement;
  if (!engine) {
    title.textContent = `no engine "${id}"`;
    return;
  }
  title.textContent = `${engine.title}: client A and client B`;
  (document.getElementById('client-a') as HTMLIFrameElement).src = demoUrl(engine, 'a');
  (document.getElementById('client-b') as HTMLIFrameElement).src = demoUrl(engine, 'b');
});
