/**
 * Splits the stored dispatches of a rehydrate into socket messages that fit the server's message limit (1 MiB):
 * a long offline queue in one message would close the socket (1009) and never rehydrate.
 */
import type { ClientMessage, StoredDispatch } from '@syncscope/protocols/seneschal';

/**
 * Budget per message in UTF-16 code units of JSON: one code unit is at most 3 bytes of UTF-8, so 256 Ki units stay
 * under 768 KiB on the wire whatever the text, well inside the server's 1 MiB.
 */
export const REHYDRATE_BATCH_UNITS = 256 * 1024;

type Rehydrate = Extract<ClientMessage, { type: 'rehydrate' }>;

/**
 * The rehydrate messages for these dispatches, in order: every one but the last carries `more: true`. Always at
 * least one message (an empty queue still ends the rehydration). A dispatch larger than the budget goes alone.
 */
export function rehydrateMessages(dispatches: readonly StoredDispatch[], budget = REHYDRATE_BATCH_UNITS): Rehydrate[] {
  const messages: Rehydrate[] = [];
  let batch: StoredDispatch[] = [];
  let units = 0;
  for (const dispatch of dispatches) {
    const size = JSON.stringify(dispatch).length + 1; // the comma between array items
    if (batch.length && units + size > budget) {
      messages.push({ type: 'rehydrate', dispatches: batch, more: true });
      batch = [];
      units = 0;
    }
    batch.push(dispatch);
    units += size;
  }
  messages.push({ type: 'rehydrate', dispatches: batch });
  return messages;
}
