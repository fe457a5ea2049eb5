/**
 * @syncscope/inspector/sinks — where captured events go. Browser-safe: `storeSink` (hook -> SessionStore, for the
 * overlay and in-page recording). Node only, from '@syncscope/inspector/sinks/node': `startRemoteSink` (the
 * receiving end of Node taps, for `syncscope serve`) and `sessionFileSink` (a session file written as it goes).
 */
export * from './store-sink.ts';
