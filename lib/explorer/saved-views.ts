/**
 * Saved explorer views: the one reader and writer of saved_views. A view is its query string
 * (lib/explorer/url.ts), re-parsed when opened, so a view saved before a dimension disappeared still
 * opens, with that part named as a problem.
 */
import type pg from 'pg';
import { z } from 'zod';

export const SavedViewInputSchema = z.object({
  name: z.string().trim().min(1, 'required').max(100, 'at most 100 characters'),
  search: z
    .string()
    .max(8000, 'the view is too long to save')
    .refine((s) => !s.startsWith('?') && !/[\r\n]/.test(s), 'not a query string'),
  shared: z.boolean().default(false),
});
export type SavedViewInput = z.infer<typeof SavedViewInputSchema>;

export interface SavedView {
  id: string;
  name: string;
  search: string;
  shared: boolean;
  ownerId: string;
  ownerEmail: string;
  mine: boolean;
  updatedAt: Date;
}

/** The user's own views and the views others shared, by name. */
export async function listSavedViews(db: pg.Pool | pg.PoolClient, userId: string): Promise<SavedView[]> {
  const { rows } = await db.query<{
    id: string;
    name: string;
    search: string;
    shared: boolean;
    owner_id: string;
    email: string;
    updated_at: Date;
  }>(
    `SELECT v.id::text AS id, v.name, v.search, v.shared, v.owner_id, u.email, v.updated_at
       FROM saved_views v JOIN users u ON u.id = v.owner_id
      WHERE v.owner_id = $1 OR v.shared
      ORDER BY (v.owner_id = $1) DESC, lower(v.name), v.id`,
    [userId],
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    search: r.search,
    shared: r.shared,
    ownerId: r.owner_id,
    ownerEmail: r.email,
    mine: r.owner_id === userId,
    updatedAt: r.updated_at,
  }));
}

/** Saves (or, for the same owner and name, replaces) a view; returns its id and whether it replaced one. */
export async function saveView(db: pg.PoolClient, ownerId: string, input: SavedViewInput): Promise<{ id: string; replaced: boolean }> {
  const { rows } = await db.query<{ id: string; replaced: boolean }>(
    `INSERT INTO saved_views (owner_id, name, search, shared) VALUES ($1, $2, $3, $4)
     ON CONFLICT (owner_id, name) DO UPDATE SET search = excluded.search, shared = excluded.shared, updated_at = now()
     RETURNING id::text AS id, (xmax <> 0) AS replaced`,
    [ownerId, input.name, input.search, input.shared],
  );
  return rows[0] as { id: string; replaced: boolean };
}

/** Deletes a view its owner (or an admin) names; returns what was deleted, or null when there is no such view for them. */
export async function deleteView(
  db: pg.PoolClient,
  id: string,
  by: { userId: string; admin: boolean },
): Promise<{ name: string; ownerId: string } | null> {
  const { rows } = await db.query<{ name: string; owner_id: string }>(
    'DELETE FROM saved_views WHERE id = $1::bigint AND (owner_id = $2 OR $3) RETURNING name, owner_id',
    [id, by.userId, by.admin],
  );
  const r = rows[0];
  return r ? { name: r.name, ownerId: r.owner_id } : null;
}
