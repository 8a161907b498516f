import { Commands } from './commands.ts';
import type { ConnectionOptions } from './config.ts';
import { Files } from './files.ts';
import { ApiClient, type CallOptions } from './http.ts';
import { Pty } from './pty.ts';
import type { CreateSandboxBody, PortInfo, SandboxInfo, SandboxMetrics, SandboxState, SandboxUsage, SnapshotInfo } from './types.ts';

export type SandboxOptions = ConnectionOptions & CallOptions;
export type CreateOptions = CreateSandboxBody & SandboxOptions;
export type ListOptions = SandboxOptions & { metadata?: Record<string, string>; state?: SandboxState; limit?: number };

const CONNECTION_KEYS = ['apiKey', 'apiUrl', 'fetch', 'WebSocket', 'maxRetries', 'requestTimeoutMs', 'signal', 'timeoutMs'] as const;
function split<T extends object>(o: T): [Record<string, unknown>, SandboxOptions] {
  const body: Record<string, unknown> = {};
  const conn: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) (CONNECTION_KEYS.includes(k as never) ? conn : body)[k] = v;
  return [body, conn as SandboxOptions];
}
const call = (o: SandboxOptions): CallOptions => ({ signal: o.signal, timeoutMs: o.timeoutMs });

/**
 * A sandbox: `Sandbox.create()`, then `commands`, `files`, `pty`, ports, snapshots and lifecycle.
 * Everything is an API call on the sandbox's id; `info` is what the API said last.
 */
export class Sandbox {
  readonly commands: Commands;
  readonly files: Files;
  readonly pty: Pty;
  readonly ports = {
    /** Makes a port reachable at its preview URL (private unless `public`); returns it with its URL. */
    expose: (port: number, o: CallOptions & { public?: boolean } = {}) =>
      this.api.json<PortInfo>('POST', this.path('/ports'), { json: { port, public: o.public ?? false }, signal: o.signal }),
    list: async (o: CallOptions = {}) => (await this.api.json<{ ports: PortInfo[] }>('GET', this.path('/ports'), o)).ports,
    unexpose: async (port: number, o: CallOptions = {}) => void (await this.api.request('DELETE', this.path(`/ports/${port}`), o)),
  };

  private constructor(
    private readonly api: ApiClient,
    public info: SandboxInfo,
  ) {
    this.commands = new Commands(api, info.id);
    this.files = new Files(api, info.id);
    this.pty = new Pty(api, info.id);
  }

  get id(): string {
    return this.info.id;
  }

  /** Creates a sandbox (a retry after a lost answer returns the same one: Idempotency-Key). */
  static async create(opts: CreateOptions = {}): Promise<Sandbox> {
    const [body, conn] = split(opts);
    const api = new ApiClient(conn);
    return new Sandbox(api, await api.json<SandboxInfo>('POST', '/sandboxes', { json: body, idempotent: true, ...call(conn) }));
  }

  /** An existing sandbox, by id or name. */
  static async connect(idOrName: string, opts: SandboxOptions = {}): Promise<Sandbox> {
    const api = new ApiClient(opts);
    return new Sandbox(api, await api.json<SandboxInfo>('GET', `/sandboxes/${encodeURIComponent(idOrName)}`, call(opts)));
  }

  /** The org's live sandboxes, newest first, all pages up to `limit` (default 1000). */
  static async list(opts: ListOptions = {}): Promise<SandboxInfo[]> {
    const api = new ApiClient(opts);
    const metadata = Object.entries(opts.metadata ?? {}).map(([k, v]) => `${k}:${v}`);
    const max = opts.limit ?? 1000;
    const out: SandboxInfo[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.json<{ sandboxes: SandboxInfo[]; nextCursor: string | null }>('GET', '/sandboxes', {
        query: { state: opts.state, metadata, cursor, limit: Math.min(100, max - out.length) },
        ...call(opts),
      });
      out.push(...page.sandboxes);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && out.length < max);
    return out;
  }

  private path(rest = '') {
    return `/sandboxes/${this.id}${rest}`;
  }

  private async act(action: string, o: CallOptions, json?: unknown): Promise<SandboxInfo> {
    this.info = await this.api.json<SandboxInfo>('POST', this.path(`/${action}`), { json, signal: o.signal, timeoutMs: o.timeoutMs });
    return this.info;
  }

  /** Fresh state from the API. */
  async getInfo(o: CallOptions = {}): Promise<SandboxInfo> {
    this.info = await this.api.json<SandboxInfo>('GET', this.path(), o);
    return this.info;
  }

  /** `host:port` of a port's preview URL, exposing it (private) first if needed. */
  async getHost(port: number, o: CallOptions = {}): Promise<string> {
    const existing = (await this.ports.list(o)).find((p) => p.port === port);
    return new URL((existing ?? (await this.ports.expose(port, o))).url).host;
  }

  async snapshot(o: CallOptions & { name?: string } = {}): Promise<SnapshotInfo> {
    return this.api.json<SnapshotInfo>('POST', this.path('/snapshots'), { json: o.name ? { name: o.name } : {}, idempotent: true, signal: o.signal });
  }

  /** A new sandbox from a snapshot of this one (taken now, unless `snapshotId` names one). */
  async fork(opts: Omit<CreateOptions, 'snapshotId' | keyof ConnectionOptions> & { snapshotId?: string } = {}): Promise<Sandbox> {
    const snapshotId = opts.snapshotId ?? (await this.snapshot({ signal: opts.signal })).id;
    const [body] = split(opts);
    const info = await this.api.json<SandboxInfo>('POST', '/sandboxes', { json: { ...body, snapshotId }, idempotent: true, ...call(opts) });
    return new Sandbox(this.api, info);
  }

  pause(o: CallOptions = {}) {
    return this.act('pause', o);
  }
  resume(o: CallOptions = {}) {
    return this.act('resume', o);
  }
  start(o: CallOptions = {}) {
    return this.act('start', o);
  }
  stop(o: CallOptions = {}) {
    return this.act('stop', o);
  }
  /** Sets the hard TTL to `timeoutSec` from now. */
  setTimeout(timeoutSec: number, o: CallOptions = {}) {
    return this.act('timeout', o, { timeoutSec });
  }

  /** Deletes the sandbox and everything in it. */
  async kill(o: CallOptions = {}): Promise<void> {
    await this.api.request('DELETE', this.path(), o);
  }

  getMetrics(o: CallOptions = {}): Promise<SandboxMetrics> {
    return this.api.json('GET', this.path('/metrics'), o);
  }

  /** Cost and usage since creation. */
  getUsage(o: CallOptions = {}): Promise<SandboxUsage> {
    return this.api.json('GET', this.path('/usage'), o);
  }
}
