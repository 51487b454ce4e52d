/** The public workspace object (docs/api.md): its schema, and the one function that renders a workspace as it. */
import { Type, type Static } from '@sinclair/typebox';
import type { ApiKeyRecord, Workspace } from '../../domain/types.js';
import { iso, Timestamp } from '../../api/schemas.js';

const Keys = Type.Object({ test: Type.Union([Type.String(), Type.Null()]), live: Type.Union([Type.String(), Type.Null()]) });

export const WorkspaceObject = Type.Object({ id: Type.String(), name: Type.String(), created: Timestamp, updated: Timestamp, keys: Keys }, { $id: 'Workspace' });

export type WorkspaceJson = Static<typeof WorkspaceObject>;

/** `keys` whole (the create and roll answers), or the stored records, shown masked by their hint. */
export function renderWorkspace(ws: Workspace, keys: { test?: string; live?: string } | ApiKeyRecord[]): WorkspaceJson {
  let shown: WorkspaceJson['keys'];
  if (Array.isArray(keys)) {
    // Newest first: after a roll, the new key is the one to show.
    const newest = (live: boolean) => keys.filter((k) => k.live === live).sort((a, b) => b.created - a.created)[0];
    const hint = (k: ApiKeyRecord | undefined, prefix: string) => (k ? `${prefix}_********${k.hint}` : null);
    shown = { test: hint(newest(false), 'fskt'), live: hint(newest(true), 'fskl') };
  } else {
    shown = { test: keys.test ?? null, live: keys.live ?? null };
  }
  return { id: ws.id, name: ws.name, created: iso(ws.created), updated: iso(ws.updated), keys: shown };
}
