/**
 * The sqlsync demo page: a shared todo list. The server comes from the `server` query parameter
 * (?server=http://127.0.0.1:4101), the document from `doc` (default "demo-todos"). Open it in two tabs (they
 * share one SharedWorker) and in a second browser profile (its own worker, own timeline) and edit away; "Go
 * offline" keeps editing locally and syncs on the way back.
 */

import { type DocHandle, SqlsyncTab } from '../browser/client.ts';
import { SYNC_PATH } from '../shared/constants.ts';

const params = new URLSearchParams(location.search);
const server = new URL(params.get('server') ?? 'http://127.0.0.1:4101');
const coordinatorUrl = `${server.protocol === 'https:' ? 'wss:' : 'ws:'}//${server.host}${SYNC_PATH}`;
const docId = params.get('doc') ?? 'demo-todos';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const statusEl = $<HTMLSpanElement>('status');
const toggle = $<HTMLButtonElement>('toggle-connection');
const list = $<HTMLUListElement>('todos');
const errorEl = $<HTMLParagraphElement>('error');
$<HTMLSpanElement>('doc').textContent = `document ${docId} on ${server.host}`;

function showError(thrown: unknown): void {
  errorEl.textContent = thrown instanceof Error ? thrown.message : String(thrown);
}

function render(doc: DocHandle, rows: unknown[][]): void {
  list.replaceChildren(
    ...rows.map(([id, text, done]) => {
      const item = document.createElement('li');
      item.dataset.id = String(id);
      item.classList.toggle('done', Number(done) === 1);
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = Number(done) === 1;
      box.addEventListener('change', () => doc.mutate({ tag: 'ToggleDone', id: String(id), done: box.checked }).catch(showError));
      const label = document.createElement('span');
      label.className = 'text';
      label.textContent = String(text); // text, never HTML
      label.title = 'Double-click to edit';
      label.addEventListener('dblclick', () => {
        const next = prompt('Edit todo', String(text));
        if (next?.trim()) doc.mutate({ tag: 'SetText', id: String(id), text: next.trim() }).catch(showError);
      });
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = 'Delete';
      remove.addEventListener('click', () => doc.mutate({ tag: 'DeleteTodo', id: String(id) }).catch(showError));
      item.append(box, label, remove);
      return item;
    }),
  );
}

async function main(): Promise<void> {
  // ?record keeps every tab <-> worker frame on the page, for the fixture recorder (scripts/record-fixtures.ts).
  const recorded: unknown[] = [];
  if (params.has('record')) (globalThis as { __sqlsyncFrames?: unknown[] }).__sqlsyncFrames = recorded;
  const tab = await SqlsyncTab.boot({
    coordinatorUrl,
    ...(params.has('record') ? { onFrame: (frame) => recorded.push({ ...frame, t: Date.now() }) } : {}),
  });
  const doc = await tab.open(docId);
  let online = true;
  doc.onConnectionStatus((status) => {
    statusEl.textContent = status;
    statusEl.dataset.status = status;
    // Another tab may have switched the shared worker's connection: follow it.
    online = status !== 'disabled';
    toggle.textContent = online ? 'Go offline' : 'Go online';
  });
  toggle.addEventListener('click', async () => {
    online = !online;
    toggle.textContent = online ? 'Go offline' : 'Go online';
    await doc.setConnectionEnabled(online).catch(showError);
  });
  doc.subscribe('SELECT id, text, done FROM todos ORDER BY rowid', [], (result) => render(doc, result.rows));
  // Mutations of ours the server's reducer refused (a todo deleted elsewhere, a duplicate id): shown, not hidden.
  doc.subscribe('SELECT mutation, reason FROM sqlsync_rejections ORDER BY storage_lsn DESC LIMIT 5', [], (result) => {
    $<HTMLElement>('rejections-section').hidden = result.rows.length === 0;
    $<HTMLUListElement>('rejections').replaceChildren(
      ...result.rows.map(([mutation, reason]) => {
        const item = document.createElement('li');
        const { tag } = JSON.parse(String(mutation)) as { tag: string };
        item.textContent = `${tag}: ${String(reason)}`;
        return item;
      }),
    );
  });
  $<HTMLFormElement>('add').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $<HTMLInputElement>('new-text');
    const text = input.value.trim();
    if (!text) return;
    errorEl.textContent = '';
    doc
      .mutate({ tag: 'AddTodo', id: crypto.randomUUID().slice(0, 12), text })
      .then(() => {
        input.value = '';
      })
      .catch(showError);
  });
}

main().catch(showError);
