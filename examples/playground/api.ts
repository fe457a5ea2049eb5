/** What the playground's Vite server answers at /api/engines (see start.ts). */
export interface EngineInfo {
  id: string;
  title: string;
  note: string;
  url: string;
  /** The demo on two origins: a second client beside the first, with its own storage. */
  demo: { a: string; b: string };
}

export interface PlaygroundInfo {
  panel: string;
  engines: EngineInfo[];
}

export async function loadPlayground(): Promise<PlaygroundInfo> {
  const response = await fetch('/api/engines/');
  if (!response.ok) throw new Error(`the playground server answered ${response.status}`);
  return (await response.json()) as PlaygroundInfo;
}

export function demoUrl(engine: EngineInfo, client: 'a' | 'b' = 'a'): string {
  // `client` names the client in demos that ask for one (the update log); the origin keeps their storage apart.
  return `${engine.demo[client]}?${new URLSearchParams({ server: engine.url, client })}`;
}
