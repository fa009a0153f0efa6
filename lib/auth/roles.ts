import { z } from 'zod';

/**
 * The four roles (README, Accounts and roles). Each role's rights are listed once, per page, action
 * and route handler, in lib/auth/permissions.ts; nothing else decides who may do what.
 * - viewer: every dashboard page, read-only
 * - engineer: viewer + the status of recommendations
 * - finance: viewer + exports, FX rates, tag and shared-cost rules, month close, invoice totals
 * - admin: everything: sources, users, roles, settings, the audit trail
 */
export const ROLES = ['viewer', 'engineer', 'finance', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = z.enum(ROLES, { error: `role must be one of ${ROLES.join(', ')}` });

export const ROLE_LABELS: Record<Role, string> = {
  viewer: 'Viewer',
  engineer: 'Engineer',
  finance: 'Finance',
  admin: 'Admin',
};
