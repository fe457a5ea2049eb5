/** @syncscope/inspector/serve — the standalone panel server (`syncscope serve`). */
export { type PanelServer, type PanelServerOptions, startPanelServer } from './server.ts';
