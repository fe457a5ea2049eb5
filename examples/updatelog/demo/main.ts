/**
 * The league-table demo: every button is one single-argument method call, saved locally (IndexedDB), shown at
 * once, sent to the object store as soon as possible, and merged with everyone else's updates by polling.
 * Query parameters: `server` (the S3 endpoint, e.g. http://127.0.0.1:4101) and `client` (who you are).
 */
import {
  FlagDismissal,
  type League,
  Match,
  MatchStatus,
  openBrowserLeagueClient,
  Result,
  Team,
  type UpdatelogClient,
} from '../client/browser.ts';

const params = new URLSearchParams(location.search);
const endpoint = params.get('server') ?? 'http://127.0.0.1:4101';
const userId = params.get('client') ?? rememberedUser();

function rememberedUser(): string {
  const saved = localStorage.getItem('updatelog-demo-user');
  if (saved) return saved;
  const fresh = `fan-${Math.random().toString(36).slice(2, 7)}`;
  localStorage.setItem('updatelog-demo-user', fresh);
  return fresh;
}

const $ = <T extends HTMLElement>(selector: string) => document.querySelector(selector) as T;
const esc = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const newId = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

const { client } = await openBrowserLeagueClient({ endpoint, userId });
$('#user').textContent = userId;

let lastTeams = '';
let lastMatches = '';
function render(c: UpdatelogClient<League>): void {
  const league = c.state();
  const status = c.status();
  const statusEl = $('#status');
  statusEl.dataset.status = !status.online ? 'offline' : status.lastError ? 'error' : 'live';
  statusEl.textContent = !status.online ? 'offline' : status.lastError ? 'store unreachable' : 'live';
  statusEl.title = status.lastError ?? '';
  const waiting = status.unsaved + status.awaitingPromotion;
  $('#pending').textContent = status.unsaved
    ? `${status.unsaved} update${status.unsaved === 1 ? '' : 's'} not yet stored`
    : waiting
      ? `${waiting} awaiting the shared log`
      : '';
  $('#toggle').textContent = status.online ? 'Go offline' : 'Go online';

  const names = new Map(league.teamList().map((t) => [t.id, t.name ?? t.id]));
  $('#standings tbody').innerHTML = league
    .standings()
    .map(
      (s, i) =>
        `<tr data-team="${esc(s.teamId)}"><td>${i + 1}</td><td>${esc(s.name)}</td><td class="num">${s.played}</td><td class="num">${s.won}</td><td class="num">${s.drawn}</td><td class="num">${s.lost}</td><td class="num">${s.goalsFor}</td><td class="num">${s.goalsAgainst}</td><td class="num"><b>${s.points}</b></td></tr>`,
    )
    .join('');

  const teamsKey = JSON.stringify([...names]);
  if (teamsKey !== lastTeams) {
    lastTeams = teamsKey;
    $('#teams tbody').innerHTML = [...names]
      .map(
        ([id, name]) =>
          `<tr data-team="${esc(id)}"><td><input name="rename" value="${esc(name)}" maxlength="40" /></td><td><button data-action="rename">Rename</button></td></tr>`,
      )
      .join('');
    const options = [...names].map(([id, name]) => `<option value="${esc(id)}">${esc(name)}</option>`).join('');
    for (const select of document.querySelectorAll<HTMLSelectElement>('#new-match select')) {
      const chosen = select.value;
      select.innerHTML = `<option value="">team…</option>${options}`;
      select.value = chosen;
    }
  }

  // Rows with inputs are rebuilt only when their data changes, so a poll never wipes what someone is typing.
  const matches = league.matchList();
  const matchesKey = JSON.stringify([matches, [...names]]);
  if (matchesKey !== lastMatches) {
    lastMatches = matchesKey;
    renderMatches(matches, names);
  }
  renderFlagsAndLog(c);
}

function renderMatches(matches: ReturnType<League['matchList']>, names: Map<string, string>): void {
  $('#matches tbody').innerHTML = matches
    .map(({ match, result }) => {
      const home = esc(names.get(match.homeTeamId ?? '') ?? `? ${match.homeTeamId}`);
      const away = esc(names.get(match.awayTeamId ?? '') ?? `? ${match.awayTeamId}`);
      const day = match.date ? match.date.toISOString().slice(0, 10) : '';
      const score = result ? `${result.homeGoals} – ${result.awayGoals}` : (match.status?.label ?? '');
      return `<tr data-match="${esc(match.id)}"><td class="muted">${day}</td><td>${home}</td><td class="num"><b class="score">${esc(score)}</b></td><td>${away}</td><td><input class="goals" name="home" type="number" min="0" max="99" value="${result?.homeGoals ?? ''}" /> <input class="goals" name="away" type="number" min="0" max="99" value="${result?.awayGoals ?? ''}" /> <button data-action="result">Record</button></td></tr>`;
    })
    .join('');
}

function renderFlagsAndLog(c: UpdatelogClient<League>): void {
  const league = c.state();
  const status = c.status();
  $('#flags').innerHTML = league
    .flags()
    .map(
      (f) =>
        `<li data-update="${esc(f.updateId)}"><span class="rule">${esc(f.rule)}</span>${esc(f.reason)} <span class="muted">update ${esc(f.updateId.slice(0, 8))}</span> <button data-action="dismiss">Dismiss</button></li>`,
    )
    .join('');

  $('#log').textContent = [
    `endpoint   ${endpoint}`,
    `snapshot   ${status.snapshotTimestamp ?? 'none'}`,
    `last key   ${status.lastKey ?? '—'}`,
    `unsaved    ${status.unsaved}   awaiting promotion ${status.awaitingPromotion}`,
    status.lastError ? `error      ${status.lastError}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

client.subscribe(() => render(client));
render(client);
client.start(1000);

$<HTMLFormElement>('#new-team').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const name = (form.elements.namedItem('name') as HTMLInputElement).value.trim();
  if (!name) return;
  void client.call('addTeam', new Team(newId('t'), name));
  form.reset();
});

$<HTMLFormElement>('#new-match').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value;
  const date = new Date(`${value('date')}T15:00:00.000Z`);
  void client.call('scheduleMatch', new Match(newId('m'), value('home'), value('away'), date, MatchStatus.SCHEDULED));
});

document.body.addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest('button');
  if (!button) return;
  const row = button.closest('tr, li') as HTMLElement | null;
  switch (button.dataset.action ?? button.id) {
    case 'rename': {
      const name = row?.querySelector<HTMLInputElement>('input[name=rename]')?.value.trim() ?? '';
      if (row?.dataset.team && name) void client.call('renameTeam', new Team(row.dataset.team, name));
      break;
    }
    case 'result': {
      const goals = (side: string) => row?.querySelector<HTMLInputElement>(`input[name=${side}]`)?.value ?? '';
      // Out-of-range scores are sent as typed: the update is kept and flagged, which the flags panel shows.
      if (row?.dataset.match && goals('home') !== '' && goals('away') !== '') {
        void client.call('recordResult', new Result(row.dataset.match, Number(goals('home')), Number(goals('away'))));
      }
      break;
    }
    case 'dismiss':
      if (row?.dataset.update) void client.call('dismissFlag', new FlagDismissal(row.dataset.update));
      break;
    case 'toggle':
      client.setOnline(!client.online);
      if (client.online) void client.flush().then(() => client.sync());
      break;
    case 'sync':
      void client.flush().then(() => client.sync());
      break;
    case 'rollup':
      void fetch(`${endpoint}/_updatelog/rollup`, { method: 'POST' }).then(() => client.sync());
      break;
  }
});
