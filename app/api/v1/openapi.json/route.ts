import { withPublic } from '@/lib/api/handler';
import { env } from '@/lib/env';
import { openApiDocument } from '@/lib/openapi/document';

export const dynamic = 'force-dynamic';

/** Public: the API description, generated from the zod schemas that validate the requests. */
export const GET = withPublic(async () => Response.json(openApiDocument(env().publicUrl)));
