/** Polls until `ready` holds; a bound that fails naming what it waited for, never a timing assertion. */
export async function waitUntil(what: string, ready: () => boolean | Promise<boolean>, attempts = 600, everyMs = 20): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}
