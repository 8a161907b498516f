import type { paths } from './generated/api.ts';

/**
 * The API's shapes, taken from the generated OpenAPI types (sdk/src/generated/api.ts) so the SDK
 * cannot drift from the API: a field the API adds to a request or response appears here when the
 * types are regenerated, and a field it drops breaks the SDK's build.
 */
type Ok<P extends keyof paths, M extends keyof paths[P], S extends number = 200> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer T } } };
}
  ? T
  : never;
type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer T } };
}
  ? T
  : never;

export type SandboxInfo = Ok<'/sandboxes/{id}', 'get'>;
export type SandboxState = SandboxInfo['state'];
export type CreateSandboxBody = Body<'/sandboxes', 'post'>;
export type ExecBody = Body<'/sandboxes/{id}/exec', 'post'>;
export type ExecResult = Ok<'/sandboxes/{id}/exec', 'post'>;
export type ExecEvent = paths['/sandboxes/{id}/exec']['post']['responses'][200]['content']['application/x-ndjson'];
export type ProcessInfo = Ok<'/sandboxes/{id}/processes', 'get'>['processes'][number];
export type ProcessStarted = Ok<'/sandboxes/{id}/processes', 'post', 201>;
export type ProcessEvent = paths['/sandboxes/{id}/processes/{pid}/output']['get']['responses'][200]['content']['application/x-ndjson'];
export type FileEntry = Ok<'/sandboxes/{id}/files', 'get'>['entries'][number];
export type SnapshotInfo = Ok<'/sandboxes/{id}/snapshots', 'post', 201>;
export type PortInfo = Ok<'/sandboxes/{id}/ports', 'post', 201>;
export type SandboxMetrics = Ok<'/sandboxes/{id}/metrics', 'get'>;
export type SandboxUsage = Ok<'/sandboxes/{id}/usage', 'get'>;
export type ListSandboxesQuery = NonNullable<paths['/sandboxes']['get']['parameters']['query']>;
