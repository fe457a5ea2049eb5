/**
 * Object keys of the update log, as lsd-storage writes them: `${appId}/${dataSet}/${area}/${timestamp}-${id}`.
 * The timestamp lives only in the key, so listing a prefix in key order is listing updates in time order.
 * Snapshots sit beside the areas, under `snapshots/`, keyed by the timestamp of the last update they contain.
 */

/** The area name template of per-user write areas; `$USER_ID$` is replaced by the user's id. */
export const USER_ID_PLACEHOLDER = '$USER_ID$';
export const USER_AREA_TEMPLATE = `user-${USER_ID_PLACEHOLDER}`;
/** Where the promoter copies accepted updates; every client reads it. */
export const SHARED_AREA = 'shared';
export const SNAPSHOT_AREA = 'snapshots';

const SEGMENT = /^[^/]+$/;
const UPDATE_KEY = /^([^/]+)\/([^/]+)\/([^/]+)\/(\d{1,16})-([^/]+)$/;
const SNAPSHOT_KEY = /^([^/]+)\/([^/]+)\/snapshots\/(\d{1,16})\.json$/;

export interface UpdateKeyParts {
  appId: string;
  dataSet: string;
  area: string;
  timestamp: number;
  id: string;
}

export interface SnapshotKeyParts {
  appId: string;
  dataSet: string;
  timestamp: number;
}

export function resolveArea(area: string, userId: string): string {
  return area.split(USER_ID_PLACEHOLDER).join(userId);
}

export function isKeySegment(value: string): boolean {
  return SEGMENT.test(value);
}

export function areaPrefix(appId: string, dataSet: string, area: string): string {
  return `${appId}/${dataSet}/${area}/`;
}

export function updateKey(parts: UpdateKeyParts): string {
  return `${parts.appId}/${parts.dataSet}/${parts.area}/${parts.timestamp}-${parts.id}`;
}

export function parseUpdateKey(key: string): UpdateKeyParts | undefined {
  const match = UPDATE_KEY.exec(key);
  if (!match || match[3] === SNAPSHOT_AREA) return undefined;
  const [, appId, dataSet, area, timestamp, id] = match as unknown as [string, string, string, string, string, string];
  return { appId, dataSet, area, timestamp: Number(timestamp), id };
}

export function snapshotKey(parts: SnapshotKeyParts): string {
  return `${parts.appId}/${parts.dataSet}/${SNAPSHOT_AREA}/${String(parts.timestamp).padStart(13, '0')}.json`;
}

export function parseSnapshotKey(key: string): SnapshotKeyParts | undefined {
  const match = SNAPSHOT_KEY.exec(key);
  if (!match) return undefined;
  const [, appId, dataSet, timestamp] = match as unknown as [string, string, string, string];
  return { appId, dataSet, timestamp: Number(timestamp) };
}

/** The area a key (or a list prefix) falls in: `${appId}/${dataSet}/${area}/...`. */
export function areaOf(keyOrPrefix: string): string | undefined {
  const parts = keyOrPrefix.split('/');
  return parts.length >= 3 && parts[2] ? parts[2] : undefined;
}
