/** Wire constants shared by the server and the clients. */
export const SYNC_PATH = '/sqlsync';
/** Byte budget of one timeline or storage partial (at least one entry is always sent). */
export const MAX_BATCH_BYTES = 16 * 1024;
/** Largest WebSocket message the server accepts. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
