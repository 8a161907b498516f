import { z } from 'zod';
import { password, text } from './common';

/** Account settings bodies (the signed-in person's own account; console-only routes). */
export const changePasswordBody = z.strictObject({ currentPassword: text(200).min(1, 'Enter your current password'), newPassword: password });
/** A 6-digit code from the authenticator app, or a recovery code (xxxxx-xxxxx). */
export const twoFactorCodeBody = z.strictObject({ code: text(40).trim().min(6, 'Enter the code from your authenticator app') });
export const orgSecurityBody = z.strictObject({ requireTwoFactor: z.boolean() });
