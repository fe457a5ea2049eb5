/**
 * The demo issue tracker on the linear client: sign in, see your team's issues (bootstrapped into the ObjectPool
 * and IndexedDB), create and edit them; go offline, keep editing (the queue grows), come back (drain, delta, live).
 * The server's URL comes from the `server` query parameter, e.g. ?server=http://127.0.0.1:4101
 */
import type { JsonModel } from '@syncscope/protocols/linear';
import { createBrowserClient, type SyncClient } from '../client/browser.ts';

const STATUSES = ['backlog', 'todo', 'in-progress', 'done', 'canceled'];
const server = new URLSearchParams(location.search).get('server') ?? 'http://127.0.0.1:4101';

const $ = <T extends HTMLElement>(selector: string) => document.querySelector(selector) as T;
let client: SyncClient | undefined;

function option(value: string, label: string, selected: boolean): HTMLOptionElement {
  const el = document.createElement('option');
  el.value = value;
  el.textContent = label;
  el.selected = selected;
  return el;
}

function select(field: string, choices: Array<[string, string]>, current: string, onChange: (value: string) => void): HTMLSelectElement {
  const el = document.createElement('select');
  el.dataset.field = field;
  for (const [value, label] of choices) el.append(option(value, label, value === current));
  el.addEventListener('change', () => onChange(el.value));
  return el;
}

const byName = (a: JsonModel, b: JsonModel) => String(a.name ?? a.title).localeCompare(String(b.name ?? b.title));

function render(): void {
  if (!client) return;
  const c = client;
  $('#status').dataset.status = c.status;
  $('#status').textContent = c.status;
  $('#sync-id').textContent = String(c.lastSyncId);
  const unsent = c.queue.length;
  $('#pending').textContent = unsent ? `${unsent} change${unsent === 1 ? '' : 's'} not yet synced` : '';
  $('#toggle').textContent = c.status === 'offline' ? 'Go online' : 'Go offline';
  const team = c.pool.ofClass('Team')[0];
  $('#team').textContent = String(team?.name ?? '–');
  const users = c.pool.ofClass('User').sort(byName);
  const projects = c.pool.ofClass('Project').sort(byName);
  const people: Array<[string, string]> = [['', 'Unassigned'], ...users.map((u): [string, string] => [u.id, String(u.name)])];
  const projectChoices: Array<[string, string]> = [['', 'No project'], ...projects.map((p): [string, string] => [p.id, String(p.name)])];

  const form = $<HTMLFormElement>('#new-issue');
  for (const [name, choices] of [
    ['projectId', projectChoices],
    ['assigneeId', people],
  ] as const) {
    const el = form.elements.namedItem(name) as HTMLSelectElement;
    const keep = el.value;
    el.replaceChildren(...choices.map(([v, l]) => option(v, l, v === keep)));
  }

  // Leave the row being typed in alone: a re-render would take the caret away.
  const active = document.activeElement;
  if (active instanceof HTMLInputElement && active.closest('#issues')) return;
  const pendingIds = new Set(c.queue.map((q) => (q.tx.type === 'create' ? q.tx.model.id : q.tx.modelId)));
  const rows = c.pool
    .ofClass('Issue')
    .sort((a, b) => String(a.id).localeCompare(String(b.id)))
    .map((issue) => {
      const tr = document.createElement('tr');
      tr.dataset.id = issue.id;
      if (issue.archived) tr.classList.add('archived');
      if (pendingIds.has(issue.id)) tr.classList.add('pending');
      const title = document.createElement('input');
      title.dataset.field = 'title';
      title.value = String(issue.title ?? '');
      title.addEventListener('change', () => void c.update('Issue', issue.id, { title: title.value }));
      const cells = [
        title,
        select(
          'status',
          STATUSES.map((s): [string, string] => [s, s]),
          String(issue.status),
          (v) => void c.update('Issue', issue.id, { status: v }),
        ),
        select('assigneeId', people, String(issue.assigneeId ?? ''), (v) => void c.update('Issue', issue.id, { assigneeId: v || null })),
        select(
          'projectId',
          projectChoices,
          String(issue.projectId ?? ''),
          (v) => void c.update('Issue', issue.id, { projectId: v || null }),
        ),
      ];
      const archive = document.createElement('button');
      archive.type = 'button';
      archive.dataset.action = 'archive';
      archive.textContent = issue.archived ? 'Unarchive' : 'Archive';
      archive.addEventListener('click', () => void c.archive('Issue', issue.id, !issue.archived));
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.dataset.action = 'delete';
      remove.textContent = 'Delete';
      remove.addEventListener('click', () => void c.remove('Issue', issue.id));
      for (const cell of [...cells, archive]) {
        const td = document.createElement('td');
        td.append(cell);
        if (cell === archive) td.append(' ', remove);
        tr.append(td);
      }
      return tr;
    });
  $('#issues tbody').replaceChildren(...rows);
  const problems = c.pool.problems.length ? `, ${c.pool.problems.length} reference problem(s)` : '';
  $('#pool').textContent =
    `ObjectPool: ${c.pool.all().length} objects, root ${c.pool.root ?? '–'}, ${c.pool.hydrated ? 'hydrated' : 'not hydrated'}${problems}`;
  $('#rejections').replaceChildren(
    ...c.rejections.map((r) => {
      const li = document.createElement('li');
      li.textContent = `Rejected (${r.code}${r.field ? `, ${r.field}` : ''}): ${r.message}`;
      return li;
    }),
  );
}

$('#login').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const username = (form.elements.namedItem('username') as HTMLInputElement).value;
  const password = (form.elements.namedItem('password') as HTMLInputElement).value;
  const clientIdKey = `linear-client-id:${username}`;
  const clientId = localStorage.getItem(clientIdKey) ?? `${username}-${crypto.randomUUID().slice(0, 8)}`;
  localStorage.setItem(clientIdKey, clientId);
  client = createBrowserClient({ server, username, password, clientId });
  client.onChange(render);
  form.classList.add('hidden');
  $('#app').classList.remove('hidden');
  $('#toggle').classList.remove('hidden');
  void client.start().then(render);
});

$('#toggle').addEventListener('click', () => {
  if (!client) return;
  if (client.status === 'offline') void client.goOnline();
  else client.goOffline();
  render();
});

$('#new-issue').addEventListener('submit', (event) => {
  event.preventDefault();
  if (!client) return;
  const form = event.target as HTMLFormElement;
  const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value;
  const team = client.pool.ofClass('Team')[0];
  if (!team) return;
  void client.create({
    __class: 'Issue',
    id: `issue-${crypto.randomUUID().slice(0, 8)}`,
    title: value('title'),
    description: '',
    status: 'todo',
    teamId: team.id,
    projectId: value('projectId') || null,
    assigneeId: value('assigneeId') || null,
    labelIds: [],
  });
  (form.elements.namedItem('title') as HTMLInputElement).value = '';
});
