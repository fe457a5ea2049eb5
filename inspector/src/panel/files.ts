/** Import (file picker, drag and drop) with progress and a clear error naming the bad line; export to session / HAR. */
import { readableToIterable, splitLineBatches } from '../session/session-file.ts';
import type { SessionStore } from '../store/index.ts';

export type ImportOutcome = { ok: true; frames: number; warnings: string[] } | { ok: false; error: string };

/** Reads a session file (streamed, line by line) or a HAR file into the store; `onProgress` gets 0..1. */
export async function importFile(store: SessionStore, file: File, reportProgress: (fraction: number) => void): Promise<ImportOutcome> {
  // Progress reported after the outcome (a chunk the stream had already read when a bad line stopped the import)
  // would replace the error the caller shows with a progress bar.
  let settled = false;
  const onProgress = (fraction: number) => {
    if (!settled) reportProgress(fraction);
  };
  try {
    if (/\.har$/i.test(file.name) || (await looksLikeHar(file))) {
      onProgress(0.1);
      let document: unknown;
      try {
        document = JSON.parse(await file.text());
      } catch (error) {
        return { ok: false, error: `${file.name}: not valid JSON (${error instanceof Error ? error.message : 'parse error'})` };
      }
      const { errors } = store.importHar(document);
      onProgress(1);
      return { ok: true, frames: store.size, warnings: errors.map((e) => `${file.name}: HAR entry ${e.entry}: ${e.reason}`) };
    }
    await importSessionStream(store, file.stream(), file.name, file.size, onProgress);
    onProgress(1);
    return { ok: true, frames: store.size, warnings: [] };
  } catch (error) {
    // A half-read file would look like a whole session: show nothing rather than a misleading part.
    store.clear();
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    settled = true;
  }
}

/**
 * Reads a session file from a byte stream (a File's, or a fetch body as it downloads, so reading and parsing
 * overlap) into the store. The frames list as soon as they are read; their protocols and state are derived in the
 * background after. Throws a SessionLineError naming the bad line.
 */
export async function importSessionStream(
  store: SessionStore,
  stream: ReadableStream<Uint8Array>,
  name: string,
  size: number,
  onProgress: (fraction: number) => void,
): Promise<void> {
  const total = Math.max(1, size);
  let read = 0;
  const counted = stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        read += chunk.byteLength;
        onProgress(read / total);
        controller.enqueue(chunk);
      },
    }),
  );
  const text = counted.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>);
  await store.importSession(splitLineBatches(readableToIterable(text)), { file: name, background: true });
}

async function looksLikeHar(file: File): Promise<boolean> {
  const head = await file.slice(0, 256).text();
  return /^\s*\{\s*"log"\s*:/.test(head);
}

/** Offers text as a file download (works in extension pages, the overlay and the standalone page). */
export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function exportName(ext: string): string {
  return `syncscope-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}.${ext}`;
}
