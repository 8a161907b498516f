import { z } from 'zod';
import { ISOLATION_LEVELS } from '@/db/schema/sandboxes';
import { label as labelText } from './common';
import { secretNames } from './secrets';
import type { Operation } from './openapi';

/** Terminal tickets and embed (share) links. */
export const terminalTicketBody = z.strictObject({
  sessionId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  cols: z.number().int().min(1).max(1000).optional(),
  rows: z.number().int().min(1).max(500).optional(),
  fresh: z.boolean().optional(),
});

const label = labelText(100).optional();
const expiresInHours = z.number().int().min(1).max(24 * 90).optional();

export const createSandboxShareBody = z.strictObject({ mode: z.enum(['rw', 'ro']), label, expiresInHours });

export const createTemplateShareBody = z.strictObject({
  template: z.string().regex(/^[a-z0-9-]{1,64}$/, 'Unknown template'),
  label,
  expiresInHours,
  maxConcurrent: z.number().int().min(1).max(100).optional(),
  sandboxTimeoutSec: z.number().int().min(60).max(3600).optional(),
  /** Egress-only secrets each visitor's sandbox may use (never env secrets: visitors could read them). */
  secrets: secretNames.optional(),
  /** The level each visitor's sandbox runs at; unset: the template's (or the org's default). */
  isolation: z.enum(ISOLATION_LEVELS, { error: 'isolation is container or gvisor' }).optional().describe('container or gvisor for each visitor\'s sandbox; unset: the template\'s level, else the org default'),
});

export const embedTerminalBody = z.strictObject({
  cols: z.number().int().min(1).max(1000).optional(),
  rows: z.number().int().min(1).max(500).optional(),
  sandboxId: z.string().regex(/^[a-z0-9]{3,40}$/).optional(),
});

export const shareOperations: Operation[] = [
  {
    method: 'post',
    path: '/sandboxes/{id}/terminal/ticket',
    summary: 'A one-minute ticket to open the sandbox terminal WebSocket (GET /api/v1/sandboxes/{id}/terminal?ticket=…)',
    permission: 'sandboxes:read',
    body: terminalTicketBody,
  },
  { method: 'get', path: '/sandboxes/{id}/shares', summary: 'Embed links of a sandbox terminal', permission: 'sandboxes:read' },
  {
    method: 'post',
    path: '/sandboxes/{id}/shares',
    summary: 'Create an embed link to the sandbox terminal (read-only or interactive)',
    permission: 'sandboxes:write',
    body: createSandboxShareBody,
    status: 201,
  },
  { method: 'get', path: '/shares', summary: 'All embed links of the org', permission: 'sandboxes:read' },
  {
    method: 'post',
    path: '/shares',
    summary: 'Create a demo link that gives each visitor a fresh sandbox from a template',
    permission: 'sandboxes:write',
    body: createTemplateShareBody,
    status: 201,
  },
  { method: 'delete', path: '/shares/{id}', summary: 'Revoke an embed link (live viewers are cut off)', permission: 'sandboxes:write' },
];
