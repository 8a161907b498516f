import { eq } from 'drizzle-orm';
import { getDb, schema } from '@/db';
import type { OrgScope } from '@/lib/auth/scope';
import { logger } from '@/lib/logger';
import { type MailStatus, sendMail } from '@/lib/mail/send';
import { invitationMail } from '@/lib/mail/templates';
import type { InvitationView } from './invitations';

/**
 * E-mails an addressed invitation its link. The link is still shown to the inviter once, so a
 * mail that cannot go out costs nothing but a copy and paste; the answer says which it was.
 * The inviter learns only the status: the mail server's own words are for platform admins.
 */
export async function emailInvitation(scope: OrgScope, invitation: InvitationView, url: string): Promise<{ status: MailStatus }> {
  if (!invitation.email) throw new Error('emailInvitation needs an addressed invitation');
  try {
    const db = await getDb();
    const [org] = await db.select({ name: schema.orgs.name }).from(schema.orgs).where(eq(schema.orgs.id, scope.orgId));
    const mail = invitationMail({
      orgName: org?.name ?? scope.orgSlug,
      inviter: await inviterName(scope),
      role: invitation.role,
      url,
      expiresAt: new Date(invitation.expiresAt),
    });
    const { status } = await sendMail({ ...mail, to: invitation.email, kind: 'invitation', orgId: scope.orgId, redact: [url] });
    return { status };
  } catch (err) {
    // The invitation exists and its link is in the answer: a broken mail path must not hide it.
    logger.error({ err, invitationId: invitation.id }, 'invitation e-mail could not be recorded');
    return { status: 'failed' };
  }
}

/** A person's name (or e-mail); an API key invites on behalf of the org, so no name. */
async function inviterName(scope: OrgScope): Promise<string | null> {
  if (scope.actor.type !== 'user') return null;
  const db = await getDb();
  const [u] = await db
    .select({ name: schema.users.name, email: schema.users.email })
    .from(schema.users)
    .where(eq(schema.users.id, scope.actor.userId));
  return u ? (u.name?.trim() || u.email) : null;
}
