/**
 * The panel's CSS as a string, injected once into the document (extension, standalone page) or into the overlay's
 * shadow root, so no shell needs a CSS loader and the app's styles never meet the panel's. Colours follow the
 * DevTools light and dark themes through variables.
 */
export const PANEL_CSS = `
.syncscope-panel {
  --bg: #ffffff; --bg2: #f3f4f6; --bg3: #e8eaed; --fg: #1f2328; --muted: #6b7280; --line: #d0d7de;
  --accent: #1a73e8; --accent-bg: #d2e3fc; --good: #188038; --warn: #b06000; --bad: #c5221f;
  --good-bg: #e6f4ea; --warn-bg: #fef7e0; --bad-bg: #fce8e6; --out: #1a73e8; --in: #188038; --local: #8430ce;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  position: relative; display: flex; flex-direction: column; height: 100%; min-height: 0; box-sizing: border-box;
  background: var(--bg); color: var(--fg); font: 12px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif;
  color-scheme: light;
}
.syncscope-panel.theme-dark {
  --bg: #202124; --bg2: #292a2d; --bg3: #35363a; --fg: #e8eaed; --muted: #9aa0a6; --line: #3c4043;
  --accent: #8ab4f8; --accent-bg: #394457; --good: #81c995; --warn: #fdd663; --bad: #f28b82;
  --good-bg: #1e3a2a; --warn-bg: #41391a; --bad-bg: #4a2523; --out: #8ab4f8; --in: #81c995; --local: #d7aefb;
  color-scheme: dark;
}
.syncscope-panel *, .syncscope-panel *::before, .syncscope-panel *::after { box-sizing: border-box; }
.syncscope-panel button, .syncscope-panel select, .syncscope-panel input {
  font: inherit; color: inherit; background: var(--bg2); border: 1px solid var(--line); border-radius: 4px; padding: 2px 8px; height: 24px;
}
.syncscope-panel button:hover:not(:disabled) { background: var(--bg3); }
.syncscope-panel button:disabled { opacity: .5; }
.syncscope-panel :focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
.syncscope-panel code, .syncscope-panel pre { font-family: var(--mono); font-size: 11px; }
.syncscope-panel pre { margin: 0; white-space: pre-wrap; word-break: break-all; }
.syncscope-panel h3 { margin: 0 0 8px; font-size: 13px; font-weight: 600; display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.syncscope-panel h4 { margin: 8px 0 4px; font-size: 12px; font-weight: 600; color: var(--muted); }
.muted { color: var(--muted); }
.warn { color: var(--warn); }
.error-text { color: var(--bad); }
.badge { display: inline-block; padding: 0 6px; border-radius: 10px; background: var(--bg3); font-size: 11px; line-height: 18px; white-space: nowrap; }
.good-bg { background: var(--good-bg); color: var(--good); }
.warn-bg { background: var(--warn-bg); color: var(--warn); }
.bad-bg { background: var(--bad-bg); color: var(--bad); }
.toolbar { display: flex; gap: 6px; align-items: center; padding: 4px 8px; border-bottom: 1px solid var(--line); background: var(--bg2); flex-wrap: wrap; }
.toolbar .sep { width: 1px; height: 18px; background: var(--line); }
.toolbar .spacer { flex: 1; }
.toolbar button.recording { color: var(--bad); border-color: var(--bad); }
.toolbar-inline { display: flex; gap: 6px; align-items: center; margin-bottom: 8px; }
.banner { display: flex; gap: 8px; align-items: center; padding: 4px 8px; border-bottom: 1px solid var(--line); background: var(--warn-bg); }
.banner.error-text { background: var(--bad-bg); }
.banner progress { width: 200px; }
button.icon { border: none; background: transparent; height: 20px; padding: 0 6px; margin-left: auto; font-size: 14px; }
button.link { border: none; background: transparent; color: var(--accent); padding: 0 3px; height: auto; text-decoration: underline; cursor: pointer; font-family: var(--mono); }
.tabs { display: flex; gap: 2px; padding: 0 8px; border-bottom: 1px solid var(--line); background: var(--bg2); align-items: flex-end; }
.tabs .title { color: var(--muted); margin-right: 12px; align-self: center; max-width: 30%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.tabs button, .subtabs button { border: none; border-bottom: 2px solid transparent; border-radius: 0; background: transparent; height: 28px; padding: 0 10px; }
.tabs button.active, .subtabs button.active { border-bottom-color: var(--accent); color: var(--accent); }
.count-pill { margin-left: 5px; padding: 0 5px; border-radius: 8px; font-size: 10px; }
.view { flex: 1; min-height: 0; display: flex; flex-direction: column; }
.scroll { overflow: auto; flex: 1; min-height: 0; }
.pad { padding: 8px; }
.empty { padding: 24px; text-align: center; color: var(--muted); }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; margin-bottom: 8px; background: var(--bg); }
.messages { display: flex; flex-direction: column; flex: 1; min-height: 0; }
.filter-bar { display: flex; gap: 6px; align-items: center; padding: 4px 8px; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
.filter-text { width: 220px; }
.filter-text.invalid { border-color: var(--bad); }
.check { display: inline-flex; gap: 3px; align-items: center; }
.check input { height: auto; }
.count { margin-left: auto; }
.split { display: flex; flex: 1; min-height: 0; }
.table-wrap { display: flex; flex-direction: column; flex: 1; min-width: 0; }
.table-head { display: flex; background: var(--bg2); border-bottom: 1px solid var(--line); font-weight: 600; color: var(--muted); }
.table-head .cell { font: inherit; color: inherit; text-align: left; }
.table-head .col-time, .table-head .col-size { text-align: right; }
.table-body { flex: 1; overflow: auto; min-height: 0; position: relative; outline: none; contain: strict; }
.row { position: absolute; left: 0; right: 0; top: 0; display: flex; align-items: center; cursor: default; border-bottom: 1px solid transparent; }
.row:nth-child(even) { background: color-mix(in srgb, var(--bg2) 55%, transparent); }
.row:hover { background: var(--bg3); }
.row.selected { background: var(--accent-bg); }
.row.bad .col-summary, .row.bad .col-type { color: var(--bad); }
.row.future { opacity: .35; }
.cell { padding: 0 6px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; line-height: 22px; }
.col-time { width: 88px; flex: none; font-family: var(--mono); font-size: 11px; text-align: right; }
.col-conn { width: 110px; flex: none; }
.col-dir { width: 62px; flex: none; }
.dir-out .col-dir { color: var(--out); } .dir-in .col-dir { color: var(--in); } .dir-local .col-dir { color: var(--local); }
.col-protocol { width: 80px; flex: none; }
.col-type { width: 120px; flex: none; font-weight: 500; }
.col-summary { flex: 1; min-width: 100px; font-family: var(--mono); font-size: 11px; }
.col-size { width: 64px; flex: none; text-align: right; color: var(--muted); }
.detail { width: 42%; min-width: 280px; max-width: 640px; border-left: 1px solid var(--line); display: flex; flex-direction: column; min-height: 0; }
.detail-head button.travel { margin-left: auto; height: 20px; padding: 0 6px; font-size: 11px; }
.detail-head button.travel + button.icon { margin-left: 0; }
.detail-head { display: flex; gap: 4px; align-items: center; padding: 4px 8px; border-bottom: 1px solid var(--line); background: var(--bg2); }
.subtabs { display: flex; border-bottom: 1px solid var(--line); padding: 0 4px; }
.detail-body { overflow: auto; flex: 1; padding: 8px; min-height: 0; }
.decode-error { background: var(--bad-bg); color: var(--bad); padding: 8px; border-radius: 4px; display: grid; gap: 4px; }
.raw { background: var(--bg2); padding: 8px; border-radius: 4px; }
.tree-node > summary { cursor: pointer; list-style: none; }
.tree-node > summary::before { content: '▸ '; color: var(--muted); }
.tree-node[open] > summary::before { content: '▾ '; }
.tree-children { padding-left: 14px; border-left: 1px dotted var(--line); margin-left: 4px; }
.tree-leaf { padding-left: 12px; font-family: var(--mono); font-size: 11px; word-break: break-all; }
.tree-key { color: var(--local); font-family: var(--mono); font-size: 11px; }
.tree-summary { color: var(--muted); font-family: var(--mono); font-size: 11px; }
.tree-string { color: var(--bad); } .tree-number, .tree-bigint { color: var(--accent); } .tree-boolean, .tree-null { color: var(--local); }
.theme-dark .tree-string { color: #f28b82; }
.diff { margin-bottom: 8px; }
.diff-title { font-weight: 600; margin-bottom: 2px; }
.diff-line { font-family: var(--mono); font-size: 11px; padding: 1px 6px; border-radius: 3px; }
.diff-added { background: var(--good-bg); } .diff-removed { background: var(--bad-bg); } .diff-changed { background: var(--warn-bg); }
table.grid { width: 100%; border-collapse: collapse; }
table.grid th { text-align: left; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 3px 6px; }
table.grid td { border-bottom: 1px solid var(--line); padding: 3px 6px; vertical-align: top; }
td.warn { color: var(--warn); font-weight: 600; }
.chart { width: 100%; height: 84px; background: var(--bg2); border-radius: 4px; }
.legend { display: flex; gap: 12px; margin-top: 4px; flex-wrap: wrap; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; vertical-align: middle; }
.journals { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.journal { margin-bottom: 8px; }
.journal-label { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.track { position: relative; height: 14px; background: var(--bg2); border-radius: 3px; margin-top: 3px; }
.range { position: absolute; top: 2px; bottom: 2px; border-radius: 2px; }
.range-client { background: var(--accent); } .range-server { background: var(--good); }
.gap { position: absolute; top: 0; bottom: 0; background: repeating-linear-gradient(45deg, var(--warn) 0 3px, transparent 3px 6px); opacity: .7; }
.axis { display: flex; justify-content: space-between; font-family: var(--mono); font-size: 10px; }
.conflict .sides { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; margin-bottom: 6px; }
.side { border: 1px solid var(--line); border-radius: 4px; padding: 6px; }
.side h4 { margin-top: 0; }
.side.winner { border-color: var(--good); background: var(--good-bg); }
.side.winner h4 { color: var(--good); }
.side.loser { opacity: .85; }
.list-pane { width: 300px; border-right: 1px solid var(--line); display: flex; flex-direction: column; padding: 6px; gap: 6px; min-height: 0; }
.list { list-style: none; margin: 0; padding: 0; overflow: auto; flex: 1; }
.list button { width: 100%; text-align: left; border: none; background: transparent; height: 22px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.list button.selected { background: var(--accent-bg); }
.split > .detail.scroll { width: auto; max-width: none; flex: 1; display: block; }
.history { border-top: 1px solid var(--line); padding: 4px 0; }
.timeline { display: flex; align-items: stretch; gap: 8px; padding: 4px 8px; border-bottom: 1px solid var(--line); }
.strip { position: relative; flex: 1; height: 58px; background: var(--bg2); border-radius: 4px; cursor: crosshair; user-select: none; touch-action: none; }
.bars { position: absolute; inset: 2px 0 24px; display: flex; align-items: flex-end; gap: 1px; }
.bar { flex: 1; background: color-mix(in srgb, var(--accent) 70%, transparent); border-radius: 1px 1px 0 0; }
.phases { position: absolute; left: 0; right: 0; bottom: 1px; height: 22px; gap: 1px; display: flex; flex-direction: column; }
.phase-row { position: relative; flex: 1; }
.phase { position: absolute; top: 0; bottom: 0; font-size: 9px; line-height: 12px; color: #fff; overflow: hidden; white-space: nowrap; padding: 0 2px; border-radius: 2px; opacity: .9; }
.cursor-line { position: absolute; top: 0; bottom: 0; width: 2px; margin-left: -1px; background: var(--bad); pointer-events: none; }
.timeline-info { display: flex; flex-direction: column; gap: 4px; justify-content: center; align-items: flex-end; min-width: 90px; }
.drop-zone { position: absolute; inset: 8px; border: 2px dashed var(--accent); border-radius: 8px; background: color-mix(in srgb, var(--bg) 85%, transparent); display: flex; align-items: center; justify-content: center; font-size: 16px; color: var(--accent); pointer-events: none; }
`;

/** Adds the panel's style sheet to a document or shadow root once. */
export function injectPanelStyles(root: Document | ShadowRoot): void {
  const container = root instanceof Document ? root.head : root;
  if (container.querySelector('style[data-syncscope-panel]')) return;
  const style = (root instanceof Document ? root : root.ownerDocument).createElement('style');
  style.dataset.syncscopePanel = '';
  style.textContent = PANEL_CSS;
  container.append(style);
}
