/**
 * Node-only: bundles the page hook into one script (an IIFE exposing `syncscopeHook.installHook`), for the size
 * budget test, for injection into pages by tests, and for whoever needs the hook as a plain <script>.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const HOOK_ENTRY = fileURLToPath(new URL('./index.ts', import.meta.url));
export const WORKER_ENTRY = fileURLToPath(new URL('../worker/index.ts', import.meta.url));

export interface HookBundle {
  code: string;
  /** Every source file that went into the bundle (to prove no zod, Preact or codec crept in). */
  inputs: string[];
}

export async function bundleHook(options: { minify?: boolean; entry?: string; globalName?: string } = {}): Promise<HookBundle> {
  const result = await build({
    entryPoints: [options.entry ?? HOOK_ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: options.globalName ?? 'syncscopeHook',
    minify: options.minify ?? true,
    target: 'es2022',
    platform: 'browser',
    metafile: true,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output for the hook');
  return { code: output.text, inputs: Object.keys(result.metafile.inputs) };
}
