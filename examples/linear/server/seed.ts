/**
 * The demo tracker a fresh server starts with: two teams, their people, projects and issues. Each team sees only
 * its own objects; that is what the bootstrap's team filter is tested against.
 */

import type { Store } from './db.ts';
import type { TrackerModel } from './deps.ts';

/** Demo accounts: username, password, team, user id. */
export const DEMO_USERS = [
  { username: 'alice', password: 'alice-pw', team: 'team-core', userId: 'user-alice' },
  { username: 'bob', password: 'bob-pw', team: 'team-core', userId: 'user-bob' },
  { username: 'carol', password: 'carol-pw', team: 'team-design', userId: 'user-carol' },
] as const;

const MODELS: Array<{ team: string; model: TrackerModel }> = [
  { team: 'team-core', model: { __class: 'Team', id: 'team-core', name: 'Core', key: 'COR' } },
  { team: 'team-design', model: { __class: 'Team', id: 'team-design', name: 'Design', key: 'DES' } },
  { team: 'team-core', model: { __class: 'User', id: 'user-alice', name: 'Alice', teamId: 'team-core' } },
  { team: 'team-core', model: { __class: 'User', id: 'user-bob', name: 'Bob', teamId: 'team-core' } },
  { team: 'team-design', model: { __class: 'User', id: 'user-carol', name: 'Carol', teamId: 'team-design' } },
  { team: 'team-core', model: { __class: 'Project', id: 'proj-sync', name: 'Sync engine', teamId: 'team-core' } },
  { team: 'team-core', model: { __class: 'Label', id: 'label-bug', name: 'bug', teamId: 'team-core' } },
  {
    team: 'team-core',
    model: {
      __class: 'Issue',
      id: 'issue-1',
      title: 'Bootstrap streams every object',
      description: '',
      status: 'in-progress',
      teamId: 'team-core',
      projectId: 'proj-sync',
      assigneeId: 'user-alice',
      labelIds: [],
    },
  },
  {
    team: 'team-core',
    model: {
      __class: 'Issue',
      id: 'issue-2',
      title: 'Reconnect drains the queue first',
      description: '',
      status: 'todo',
      teamId: 'team-core',
      projectId: 'proj-sync',
      assigneeId: null,
      labelIds: ['label-bug'],
    },
  },
  { team: 'team-design', model: { __class: 'Project', id: 'proj-brand', name: 'Brand refresh', teamId: 'team-design' } },
  {
    team: 'team-design',
    model: {
      __class: 'Issue',
      id: 'issue-3',
      title: 'New logo',
      description: '',
      status: 'backlog',
      teamId: 'team-design',
      projectId: 'proj-brand',
      assigneeId: 'user-carol',
      labelIds: [],
    },
  },
];

export function seedTracker(store: Store, hash: (password: string) => string): void {
  for (const user of DEMO_USERS) store.addUser(user.username, hash(user.password), user.team, user.userId);
  for (const { team, model } of MODELS) {
    store.record(
      team,
      'I',
      { modelName: model.__class, id: model.id, team, data: model, deleted: false, archived: false },
      Object.keys(model),
    );
  }
}
