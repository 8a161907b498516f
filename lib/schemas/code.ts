import { z } from 'zod';
import { LANGUAGES } from '@/lib/code-contexts/kernels';
import { text } from './common';

/** A cell for a stateful code context: a context's id, or a language's default context. */
export const runCodeBody = z.strictObject({
  code: text(1024 * 1024),
  language: z.enum(LANGUAGES).optional(),
  contextId: z.string().regex(/^[a-z0-9-]{1,64}$/, 'Unknown context id').optional(),
});

export const createContextBody = z.strictObject({ language: z.enum(LANGUAGES) });
export const contextIdParam = z.string().regex(/^[a-z0-9-]{1,64}$/, 'Unknown context id');
