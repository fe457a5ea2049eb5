/**
 * Rebuilds examples/sessions/: the sample session is the seneschal engine's recording of its note's worked
 * example; the sample HAR is the linear engine's recorded offline scenario written the way Chrome DevTools writes a
 * HAR (pages, _initiator, _resourceType, _webSocketMessages...), so HAR import is tested on Chrome's shape with
 * real traffic. Run: npx tsx scripts/make-samples.ts
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportHar } from '../inspector/src/session/har.ts';
import { readSessionLines } from '../inspector/src/session/session-file.ts';

const root = join(import.meta.dirname, '..');
const sessions = join(root, 'examples/sessions');

copyFileSync(join(root, 'protocols/seneschal/fixtures/worked-example.syncscope.jsonl'), join(sessions, 'sample.syncscope.jsonl'));

const linear = await readSessionLines(
  readFileSync(join(root, 'protocols/linear/fixtures/scenario-offline.syncscope.jsonl'), 'utf8').trimEnd().split('\n'),
);
// One browser tab's view: Chrome's HAR holds one page's traffic, so keep the connections of the first client.
const firstClient = linear.frames[0]?.conn.split(':')[0] ?? '';
const frames = linear.frames.filter((f) => f.conn.startsWith(firstClient));
const { har } = exportHar(frames);
const started = new Date(frames[0]?.t ?? 0).toISOString();
let connection = 4711;
const chromeEntries = (har.log.entries as Array<Record<string, unknown>>).map((entry) => {
  const websocket = entry._resourceType === 'websocket';
  return {
    _initiator: { type: 'script' },
    _priority: websocket ? 'Medium' : 'High',
    _resourceType: websocket ? 'websocket' : 'fetch',
    cache: {},
    connection: String(connection++),
    pageref: 'page_1',
    ...entry,
    serverIPAddress: '127.0.0.1',
    timings: {
      blocked: 0.4,
      dns: -1,
      ssl: -1,
      connect: -1,
      send: 0.1,
      wait: Number(entry.time ?? 0),
      receive: 0.2,
      _blocked_queueing: 0.3,
    },
  };
});
const chromeHar = {
  log: {
    version: '1.2',
    creator: { name: 'WebInspector', version: '537.36' },
    pages: [
      { startedDateTime: started, id: 'page_1', title: 'http://127.0.0.1:4111/', pageTimings: { onContentLoad: 120.5, onLoad: 180.2 } },
    ],
    entries: chromeEntries,
  },
};
writeFileSync(join(sessions, 'sample.har'), `${JSON.stringify(chromeHar, null, 2)}\n`);
console.log(`sample.syncscope.jsonl: seneschal worked example; sample.har: ${chromeEntries.length} entries of linear's offline scenario`);
