/**
 * The shopping-list demo of the note: lists, and items with name, quantity and location, shared through Seneschal.
 * The server comes from the `server` query parameter (e.g. ?server=http://127.0.0.1:4101). "Go offline" closes the
 * socket; edits made meanwhile stay in IndexedDB and are reconciled on the way back.
 */

import { createBrowserClient } from '../client/browser.ts';
import type { SeneschalClient } from '../client/client.ts';
import type { LocalObject } from '../client/state.ts';

const params = new URLSearchParams(location.search);
const server = params.get('server') ?? 'http://127.0.0.1:4101';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let client: SeneschalClient | undefined;
let selected: string | undefined;
let wantOnline = true;
let reconnectTimer: ReturnType<typeof setTimeout> | undefined;

$('server-hint').textContent = `Server: ${server}`;

function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function lists(objects: Record<string, LocalObject>) {
  return Object.entries(objects)
    .filter(([, o]) => o.slice === 'lists')
    .sort(([, a], [, b]) => String(a.props.name).localeCompare(String(b.props.name)));
}

function itemsOf(objects: Record<string, LocalObject>, listID: string) {
  return Object.entries(objects)
    .filter(([, o]) => o.slice === 'items' && o.props.listID === listID)
    .sort(([, a], [, b]) => String(a.props.name).localeCompare(String(b.props.name)));
}

function render(): void {
  if (!client) return;
  const status = client.status;
  $('status').textContent = status;
  $('status').dataset.status = status;
  $('who').textContent = `user ${client.userID ?? '?'} · device ${client.clientID}`;
  const pending = client.unsent().length;
  $('pending').textContent = pending ? `${pending} change${pending === 1 ? '' : 's'} not yet sent` : '';
  $('toggle').textContent = wantOnline ? 'Go offline' : 'Go online';
  $('app-error').textContent = client.lastError ?? '';
  // Do not rebuild the table under someone's cursor; the next change after they leave the field redraws it.
  if (document.activeElement?.closest('#items')) return;
  const objects = client.objects();
  const all = lists(objects);
  if (selected && !objects[selected]) selected = undefined;
  $('lists').innerHTML = all
    .map(
      ([oid, o]) =>
        `<li><button data-list="${escapeHtml(oid)}" aria-current="${oid === selected}">${escapeHtml(o.props.name)}</button></li>`,
    )
    .join('');
  const list = selected ? objects[selected] : undefined;
  $('list-title').textContent = list ? String(list.props.name) : 'Pick or add a list';
  for (const id of ['items', 'new-item', 'share']) $(id).hidden = !list;
  if (!list || !selected) return;
  $('items').querySelector('tbody')!.innerHTML = itemsOf(objects, selected)
    .map(
      ([oid, o]) => `<tr data-item="${escapeHtml(oid)}">
        <td><input data-prop="name" value="${escapeHtml(o.props.name)}" aria-label="name" /></td>
        <td><input data-prop="qty" value="${escapeHtml(o.props.qty)}" size="4" aria-label="qty" /></td>
        <td><input data-prop="location" value="${escapeHtml(o.props.location)}" aria-label="location" /></td>
        <td><button type="button" class="danger" data-delete="${escapeHtml(oid)}" title="delete">✕</button></td>
      </tr>`,
    )
    .join('');
}

async function goOnline(): Promise<void> {
  if (!client || !wantOnline || client.status !== 'offline') return;
  try {
    await client.connect();
  } catch {
    // The server is away: keep working offline and try again shortly.
  }
  render();
}

function retry(): void {
  reconnectTimer = undefined;
  void goOnline();
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const data = new FormData(form);
  const username = String(data.get('username'));
  const password = String(data.get('password'));
  const action = ((event as SubmitEvent).submitter as HTMLButtonElement | null)?.value ?? 'login';
  try {
    client ??= await createBrowserClient({ server });
    if (action === 'register') await client.register(username, password);
    await client.login(username, password);
    client.onChange(() => render());
    client.onChange(() => {
      if (wantOnline && client?.status === 'offline' && !reconnectTimer) reconnectTimer = setTimeout(retry, 2000);
    });
    $('login').hidden = true;
    $('app').hidden = false;
    $('toggle').hidden = false;
    render();
    await goOnline();
  } catch (error) {
    $('login-error').textContent = error instanceof Error ? error.message : String(error);
  }
});

$('toggle').addEventListener('click', async () => {
  if (!client) return;
  wantOnline = !wantOnline;
  if (wantOnline) await goOnline();
  else {
    clearTimeout(reconnectTimer);
    reconnectTimer = undefined;
    await client.disconnect();
  }
  render();
});

$('new-list').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const name = String(new FormData(form).get('name')).trim();
  if (!client || !name) return;
  selected = `list-${crypto.randomUUID()}`;
  client.dispatch('lists/upsert', selected, { name });
  form.reset();
});

$('lists').addEventListener('click', (event) => {
  const id = (event.target as HTMLElement).closest<HTMLElement>('[data-list]')?.dataset.list;
  if (id) {
    selected = id;
    render();
  }
});

$('new-item').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const data = new FormData(form);
  if (!client || !selected) return;
  client.dispatch('items/upsert', `item-${crypto.randomUUID()}`, {
    name: String(data.get('name')).trim(),
    qty: String(data.get('qty') ?? '').trim() || '1',
    location: String(data.get('location') ?? '').trim(),
    listID: selected,
  });
  form.reset();
});

// An edit is one dispatch of the one property that changed, as in the note ("0730 changes location").
$('items').addEventListener('change', (event) => {
  const input = event.target as HTMLInputElement;
  const oid = input.closest<HTMLElement>('[data-item]')?.dataset.item;
  const prop = input.dataset.prop;
  if (client && oid && prop) client.dispatch('items/upsert', oid, { [prop]: input.value });
});

$('items').addEventListener('focusout', () => setTimeout(render, 0));

$('items').addEventListener('click', (event) => {
  const oid = (event.target as HTMLElement).closest<HTMLElement>('[data-delete]')?.dataset.delete;
  if (client && oid) client.dispatch('items/delete', oid);
});

$('share').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const userID = String(new FormData(form).get('userID')).trim();
  const allow = ((event as SubmitEvent).submitter as HTMLButtonElement | null)?.value !== 'no';
  if (client && selected && userID) client.share(selected, { kind: 'user', id: userID }, allow);
  form.reset();
});
