/**
 * Every Next route handler under app/api and the methods its file exports.
 *
 * Next answers a method a route does not export with a bare 405 (no Allow, no body), a method
 * it does not know (PROPFIND) with a bare 400, and TRACE/CONNECT/TRACK with a 500 (it builds a
 * web Request, which refuses those methods). server.ts answers all of them before Next sees
 * the request (lib/server/api-guard.ts), so it needs this table; tests/console/api-guard.test.ts
 * fails when a route file and this table disagree.
 */
export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export const API_ROUTES: Record<string, readonly RouteMethod[]> = {
  '/api/account/password': ['POST'],
  '/api/account/sessions': ['GET', 'DELETE'],
  '/api/account/sessions/[id]': ['DELETE'],
  '/api/account/two-factor': ['GET', 'POST', 'DELETE'],
  '/api/account/two-factor/confirm': ['POST'],
  '/api/account/two-factor/recovery-codes': ['POST'],
  '/api/admin/mail': ['GET'],
  '/api/admin/mail/[id]': ['GET'],
  '/api/admin/orgs': ['GET'],
  '/api/admin/orgs/[id]': ['GET'],
  '/api/admin/orgs/[id]/audit': ['GET'],
  '/api/admin/orgs/[id]/billing': ['GET'],
  '/api/admin/orgs/[id]/credits': ['GET', 'POST'],
  '/api/admin/orgs/[id]/limits': ['PATCH'],
  '/api/admin/orgs/[id]/plan': ['POST'],
  '/api/admin/orgs/[id]/suspend': ['POST'],
  '/api/admin/orgs/[id]/unsuspend': ['POST'],
  '/api/admin/plans': ['GET', 'POST'],
  '/api/admin/plans/[id]': ['GET', 'PATCH'],
  '/api/admin/revenue': ['GET'],
  '/api/admin/runners': ['GET'],
  '/api/admin/runners/[id]/drain': ['POST'],
  '/api/admin/runners/[id]/undrain': ['POST'],
  '/api/admin/sandboxes': ['GET'],
  '/api/admin/sandboxes/[id]': ['DELETE'],
  '/api/admin/sandboxes/[id]/stop': ['POST'],
  '/api/admin/templates/[id]/publish': ['POST'],
  '/api/admin/templates/debian': ['POST'],
  '/api/admin/usage': ['GET'],
  '/api/admin/users': ['GET'],
  '/api/admin/users/[id]': ['PATCH'],
  '/api/admin/users/[id]/disable': ['POST'],
  '/api/admin/users/[id]/enable': ['POST'],
  '/api/auth/[...nextauth]': ['GET', 'POST'],
  '/api/embed/[token]/terminal': ['POST'],
  '/api/health': ['GET'],
  '/api/invitations/accept': ['POST'],
  '/api/invitations/preview': ['GET'],
  '/api/mcp': ['GET', 'POST', 'DELETE'],
  '/api/org-security': ['GET', 'PATCH'],
  '/api/orgs': ['GET', 'POST'],
  '/api/password-reset': ['POST'],
  '/api/password-reset/confirm': ['POST'],
  '/api/previews/authorize': ['GET'],
  '/api/signup': ['POST'],
  '/api/stripe/webhook': ['POST'],
  '/api/v1/api-keys': ['GET', 'POST'],
  '/api/v1/api-keys/[id]': ['DELETE'],
  '/api/v1/audit': ['GET'],
  '/api/v1/billing': ['GET', 'PATCH'],
  '/api/v1/billing/checkout': ['POST'],
  '/api/v1/billing/invoices': ['GET'],
  '/api/v1/billing/portal': ['POST'],
  '/api/v1/invitations': ['GET', 'POST'],
  '/api/v1/invitations/[id]': ['DELETE'],
  '/api/v1/members': ['GET'],
  '/api/v1/members/[userId]': ['PATCH', 'DELETE'],
  '/api/v1/openapi.json': ['GET'],
  '/api/v1/org': ['GET', 'PATCH', 'DELETE'],
  '/api/v1/org/default-template': ['PUT'],
  '/api/v1/quotas': ['GET'],
  '/api/v1/sandboxes': ['GET', 'POST'],
  '/api/v1/sandboxes/[id]': ['GET', 'DELETE'],
  '/api/v1/sandboxes/[id]/code': ['POST'],
  '/api/v1/sandboxes/[id]/code/contexts': ['GET', 'POST'],
  '/api/v1/sandboxes/[id]/code/contexts/[contextId]': ['POST', 'DELETE'],
  '/api/v1/sandboxes/[id]/exec': ['POST'],
  '/api/v1/sandboxes/[id]/exec-log': ['GET'],
  '/api/v1/sandboxes/[id]/files': ['GET', 'DELETE'],
  '/api/v1/sandboxes/[id]/files/content': ['GET', 'PUT'],
  '/api/v1/sandboxes/[id]/files/mkdir': ['POST'],
  '/api/v1/sandboxes/[id]/metrics': ['GET'],
  '/api/v1/sandboxes/[id]/pause': ['POST'],
  '/api/v1/sandboxes/[id]/ports': ['GET', 'POST'],
  '/api/v1/sandboxes/[id]/ports/[port]': ['PATCH', 'DELETE'],
  '/api/v1/sandboxes/[id]/processes': ['GET', 'POST'],
  '/api/v1/sandboxes/[id]/processes/[pid]': ['DELETE'],
  '/api/v1/sandboxes/[id]/processes/[pid]/output': ['GET'],
  '/api/v1/sandboxes/[id]/processes/[pid]/stdin': ['POST'],
  '/api/v1/sandboxes/[id]/resume': ['POST'],
  '/api/v1/sandboxes/[id]/shares': ['GET', 'POST'],
  '/api/v1/sandboxes/[id]/snapshots': ['GET', 'POST'],
  '/api/v1/sandboxes/[id]/start': ['POST'],
  '/api/v1/sandboxes/[id]/stop': ['POST'],
  '/api/v1/sandboxes/[id]/template': ['POST'],
  '/api/v1/sandboxes/[id]/terminal/ticket': ['POST'],
  '/api/v1/sandboxes/[id]/timeout': ['POST'],
  '/api/v1/sandboxes/[id]/usage': ['GET'],
  '/api/v1/secrets': ['GET', 'POST'],
  '/api/v1/secrets/[name]': ['GET', 'PATCH', 'DELETE'],
  '/api/v1/shares': ['GET', 'POST'],
  '/api/v1/shares/[id]': ['DELETE'],
  '/api/v1/snapshots': ['GET'],
  '/api/v1/snapshots/[id]': ['GET', 'DELETE'],
  '/api/v1/snapshots/[id]/files': ['GET'],
  '/api/v1/snapshots/[id]/files/content': ['GET'],
  '/api/v1/snapshots/[id]/template': ['POST'],
  '/api/v1/templates': ['GET', 'POST'],
  '/api/v1/templates/[id]': ['GET', 'PATCH', 'DELETE'],
  '/api/v1/templates/[id]/builds': ['GET', 'POST'],
  '/api/v1/templates/[id]/builds/[buildId]': ['GET'],
  '/api/v1/templates/[id]/builds/[buildId]/cancel': ['POST'],
  '/api/v1/usage': ['GET'],
};

export type MatchedRoute = { pattern: string; methods: readonly RouteMethod[]; params: Record<string, string> };

type Compiled = { pattern: string; regex: RegExp; keys: string[] };

/** `[x]` is one segment, `[...x]` one or more; static routes are tried before dynamic ones. */
const compiled: Compiled[] = Object.keys(API_ROUTES)
  .map((pattern) => {
    const keys: string[] = [];
    const source = pattern
      .split('/')
      .map((seg) => {
        const m = /^\[(\.\.\.)?(\w+)\]$/.exec(seg);
        if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        keys.push(m[2]!);
        return m[1] ? '(.+)' : '([^/]+)';
      })
      .join('/');
    return { pattern, regex: new RegExp(`^${source}/?$`), keys };
  })
  .sort((a, b) => a.keys.length - b.keys.length);

/** The route a raw (still percent-encoded) pathname belongs to, with its raw parameters. */
export function matchApiRoute(pathname: string): MatchedRoute | null {
  for (const c of compiled) {
    const m = c.regex.exec(pathname);
    if (!m) continue;
    const params = Object.fromEntries(c.keys.map((k, i) => [k, m[i + 1]!]));
    return { pattern: c.pattern, methods: API_ROUTES[c.pattern]!, params };
  }
  return null;
}

/** What Next serves on a route: its exports, HEAD wherever GET is, and OPTIONS everywhere. */
export function allowedMethods(methods: readonly RouteMethod[]): string[] {
  const all = new Set<string>([...methods, 'OPTIONS']);
  if (methods.includes('GET')) all.add('HEAD');
  return [...all].sort();
}
