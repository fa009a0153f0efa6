/**
 * The inputs of the account actions (users page, password links, profile): one zod schema each,
 * used by the action and named by the forms' fields. Field rules come from lib/auth (emails,
 * names, roles, passwords, token names), so a form accepts exactly what the account code accepts.
 */
import { z } from 'zod';
import { TokenNameSchema } from '../auth/api-tokens';
import { PasswordSchema } from '../auth/password';
import { RoleSchema } from '../auth/roles';
import { EmailSchema, NameSchema, UserError } from '../auth/users';
import { ActionError } from './safe-action';

const UserId = z.string().trim().min(1, 'required').max(100, 'not a user id');

export const InviteUserSchema = z.object({ email: EmailSchema, name: NameSchema, role: RoleSchema });
export const ChangeUserRoleSchema = z.object({ userId: UserId, role: RoleSchema });
export const SetUserDisabledSchema = z.object({
  userId: UserId,
  disabled: z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true'),
});
export const PasswordResetLinkSchema = z.object({ userId: UserId });

export const SetPasswordSchema = z
  .object({
    token: z.string().min(1, 'the link is incomplete: open the whole link you were sent'),
    password: PasswordSchema,
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'the two passwords differ' });

export const ChangePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, 'required').max(512, 'at most 512 characters'),
    newPassword: PasswordSchema,
    confirm: z.string(),
  })
  .refine((v) => v.newPassword === v.confirm, { path: ['confirm'], message: 'the two passwords differ' })
  .refine((v) => v.newPassword !== v.currentPassword, { path: ['newPassword'], message: 'the new password is the current one' });

export const CreateApiTokenSchema = z.object({ name: TokenNameSchema });
export const RevokeApiTokenSchema = z.object({ id: z.string().regex(/^[1-9]\d{0,17}$/, 'not a token id') });

/** A UserError from lib/auth as the message a form shows (next to its field when it names one). */
export function userErrorToAction(error: unknown): unknown {
  if (!(error instanceof UserError)) return error;
  return new ActionError(error.message, error.field && error.field !== 'token' ? { [error.field]: [error.message] } : {});
}
