import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GET } from '@/app/api/v1/openapi.json/route';
import { allOperations } from '@/lib/openapi/document';
import { call, req } from './helpers/fixtures';

/** Every /api/v1 route handler appears in the document, and every documented operation exists. */
function routeOperations(): string[] {
  const root = path.join(process.cwd(), 'app/api/v1');
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === 'route.ts' && !full.includes('openapi.json')) {
        const rel = `/${path.relative(root, path.dirname(full))}`.replace(/\[(\w+)\]/g, '{$1}');
        const src = fs.readFileSync(full, 'utf8');
        for (const m of src.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)) out.push(`${m[1]!.toLowerCase()} ${rel}`);
      }
    }
  };
  walk(root);
  return out.sort();
}

describe('OpenAPI document', () => {
  it('lists exactly the /api/v1 operations that exist, with strict request bodies', async () => {
    const res = await call(GET, req('GET', '/api/v1/openapi.json'));
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe('3.1.0');
    const documented = Object.entries(res.json.paths as Record<string, Record<string, unknown>>)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`))
      .sort();
    expect(documented).toEqual(routeOperations());
    expect(allOperations.length).toBe(documented.length);
    const createKey = res.json.paths['/api-keys'].post.requestBody.content['application/json'].schema;
    expect(createKey).toMatchObject({ type: 'object', additionalProperties: false, required: ['name'] });
  });

  it('describes the sandbox API from the same schemas that validate it', async () => {
    const { json } = await call(GET, req('GET', '/api/v1/openapi.json'));
    const create = json.paths['/sandboxes'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body).toMatchObject({ type: 'object', additionalProperties: false });
    expect(Object.keys(body.properties)).toEqual(
      expect.arrayContaining(['template', 'cpu', 'memoryMb', 'diskMb', 'timeoutSec', 'idleTimeoutSec', 'env', 'metadata', 'network', 'snapshotId']),
    );
    expect(create.responses['201'].content['application/json'].schema.properties.state.enum).toContain('running');
    const exec = json.paths['/sandboxes/{id}/exec'].post;
    expect(Object.keys(exec.responses['200'].content)).toEqual(['application/json', 'application/x-ndjson']);
    const upload = json.paths['/sandboxes/{id}/files/content'].put;
    expect(upload.requestBody.content).toHaveProperty('application/octet-stream');
    expect(upload.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'path', in: 'query', required: true })]));
    const port = json.paths['/sandboxes/{id}/ports/{port}'].patch.parameters.find((p: { name: string }) => p.name === 'port');
    expect(port.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 65535 });
    expect(json.paths['/sandboxes/{id}'].delete.description).toContain('sandboxes:delete');
    for (const op of [create, exec, json.paths['/sandboxes/{id}/snapshots'].post]) {
      expect(op.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]));
    }
    expect(json.paths['/sandboxes'].get.parameters.map((p: { name: string }) => p.name)).not.toContain('Idempotency-Key');
  });
});
