/**
 * The demo page: a person's profile and an organisation, edited through temporal stores. Query parameters:
 * `server` (the temporal server, e.g. http://127.0.0.1:4101), `person` (default alice), `org` (default acme).
 */
import { type EntityRef, TAP_CHANNEL } from '../../../protocols/temporal/schemas.ts';
import { connectTemporal } from '../browser/connect.ts';
import type { StoreState, TemporalStore } from '../browser/store.ts';

const params = new URLSearchParams(location.search);
const serverURL = params.get('server') ?? location.origin;
const personID = params.get('person') ?? 'alice';
const person: EntityRef = { id: personID, type: 'person' };
const org: EntityRef = { id: params.get('org') ?? 'acme', type: 'org' };

const worker = new SharedWorker(new URL('../browser/shared-worker.ts', import.meta.url), { type: 'module', name: 'temporal' });
const recording = params.get('record') === '1';
const connection = connectTemporal({ serverURL, person, worker, record: recording });
if (recording) {
  // The fixture recorder (scripts/record-browser-fixture.ts) exposes this function to collect the worker's frames.
  const sink = (window as unknown as { __temporalFrame?: (frame: unknown) => void }).__temporalFrame;
  const tap = new BroadcastChannel(TAP_CHANNEL);
  tap.onmessage = (event: MessageEvent) => sink?.(event.data);
}
// Posting an entity that exists is answered 400 and the worker then follows the existing one.
connection.create(person, { name: personID[0]?.toUpperCase() + personID.slice(1), email: `${personID}@example.test` });
connection.create(org, { name: 'Acme', city: 'Oslo', website: 'acme.example' });

const stores: Record<string, TemporalStore> = { person: connection.store(person), org: connection.store(org) };

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
element('person').textContent = personID;
element('server').textContent = serverURL;
let wantOnline = true;
connection.onStatus((connected, pending) => {
  const status = element('connection');
  status.textContent = connected ? 'online' : 'offline';
  status.className = connected ? 'online' : 'offline';
  element('pending').textContent = pending > 0 ? `· ${pending} change(s) waiting for the server` : '';
});
element('toggle-online').addEventListener('click', () => {
  wantOnline = !wantOnline;
  connection.setOnline(wantOnline);
  element('toggle-online').textContent = wantOnline ? 'Go offline' : 'Go online';
});

for (const [name, store] of Object.entries(stores)) {
  const inputs = [...document.querySelectorAll<HTMLInputElement>(`input[data-entity="${name}"]`)];
  store.subscribe((state: StoreState) => {
    for (const input of inputs) {
      const value = state.value?.[input.dataset.field ?? ''];
      // Never overwrite what the user is typing and has not committed yet.
      if (input.dataset.dirty !== 'true') input.value = typeof value === 'string' ? value : '';
    }
    element(`${name}-meta`).textContent = state.meta
      ? `version ${state.meta.validFrom} by ${state.meta.userID}${state.meta.deleted ? ' (deleted)' : ''}`
      : 'loading…';
  });
  for (const input of inputs) {
    input.addEventListener('input', () => {
      input.dataset.dirty = 'true';
    });
    input.addEventListener('change', () => {
      input.dataset.dirty = 'false';
      store.update((value) => ({ ...value, [input.dataset.field ?? '']: input.value }));
    });
  }
}
