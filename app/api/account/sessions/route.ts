import { currentSessionId } from '@/lib/account/current-session';
import { withUser } from '@/lib/api/handler';
import { endOtherUserSessions, listUserSessions } from '@/lib/auth/user-sessions';

export const dynamic = 'force-dynamic';

/** The browsers signed in as this person, this one marked `current`. */
export const GET = withUser(async ({ req, scope }) => Response.json({ sessions: await listUserSessions(scope.userId, await currentSessionId(req)) }));

/** Signs out everywhere else: every session but this one ends at its next request. */
export const DELETE = withUser(async ({ req, scope }) => Response.json({ ended: await endOtherUserSessions(scope.userId, await currentSessionId(req)) }));
