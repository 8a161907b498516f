import { ApiClient, Sandbox } from '@/sdk/src/index';
import { connection } from './credentials';
import { sandboxDetail, sandboxRows, table } from './format';
import { num, one, pairs, parse, UsageError } from './options';

export type Out = { line(s: string): void; json(v: unknown): void };
/** Resolves with an exit status, or nothing for 0. */
export type Command = (argv: string[], out: Out) => Promise<unknown>;

const connect = (ref: string) => Sandbox.connect(ref, connection());

/** `warren sandbox create|ls|get|rm|snapshot|fork|expose|logs`: one API call or two each. */
export const sandboxCommands: Record<string, Command> = {
  async create(argv, out) {
    const { values: v, positionals } = parse(argv, {
      name: { type: 'string' },
      template: { type: 'string' },
      cpu: { type: 'string' },
      'memory-mb': { type: 'string' },
      'disk-mb': { type: 'string' },
      timeout: { type: 'string' },
      'idle-timeout': { type: 'string' },
      'on-timeout': { type: 'string' },
      env: { type: 'string', multiple: true, short: 'e' },
      metadata: { type: 'string', multiple: true, short: 'm' },
      egress: { type: 'boolean' },
      allow: { type: 'string', multiple: true },
      snapshot: { type: 'string' },
    });
    if (positionals.length) throw new UsageError(`Unexpected argument: ${positionals[0]}`);
    const onTimeout = v['on-timeout'];
    if (onTimeout && !['stop', 'pause', 'delete'].includes(onTimeout)) throw new UsageError('--on-timeout is stop, pause or delete');
    const sb = await Sandbox.create({
      ...connection(),
      name: v.name,
      template: v.template,
      cpu: num(v.cpu, 'cpu'),
      memoryMb: num(v['memory-mb'], 'memory-mb'),
      diskMb: num(v['disk-mb'], 'disk-mb'),
      timeoutSec: num(v.timeout, 'timeout'),
      idleTimeoutSec: num(v['idle-timeout'], 'idle-timeout'),
      onTimeout: onTimeout as 'stop' | 'pause' | 'delete' | undefined,
      env: pairs(v.env, 'env'),
      metadata: pairs(v.metadata, 'metadata'),
      network: v.egress || v.allow?.length ? { mode: 'egress', ...(v.allow?.length ? { allow: v.allow } : {}) } : undefined,
      snapshotId: v.snapshot,
    });
    if (v.json) return void out.json(sb.info);
    out.line(sb.id); // alone on the line: `id=$(warren sandbox create)`
  },

  async ls(argv, out) {
    const { values: v, positionals } = parse(argv, { state: { type: 'string' }, metadata: { type: 'string', multiple: true, short: 'm' } });
    if (positionals.length) throw new UsageError(`Unexpected argument: ${positionals[0]}`);
    const list = await Sandbox.list({ ...connection(), state: v.state as never, metadata: pairs(v.metadata, 'metadata') });
    if (v.json) return void out.json(list);
    out.line(list.length ? sandboxRows(list) : 'No sandboxes.');
  },

  async get(argv, out) {
    const { values: v, positionals } = parse(argv, {});
    const sb = await connect(one(positionals, 'sandbox id or name'));
    if (v.json) return void out.json(sb.info);
    out.line(sandboxDetail(sb.info));
  },

  async rm(argv, out) {
    const { positionals } = parse(argv, {});
    if (!positionals.length) throw new UsageError('Give the sandboxes to delete, by id or name');
    for (const ref of positionals) {
      await (await connect(ref)).kill();
      out.line(`Deleted ${ref}`);
    }
  },

  async snapshot(argv, out) {
    const { values: v, positionals } = parse(argv, { name: { type: 'string' } });
    const snap = await (await connect(one(positionals, 'sandbox id or name'))).snapshot({ name: v.name });
    if (v.json) return void out.json(snap);
    out.line(snap.id);
  },

  async fork(argv, out) {
    const { values: v, positionals } = parse(argv, { snapshot: { type: 'string' }, name: { type: 'string' } });
    const fork = await (await connect(one(positionals, 'sandbox id or name'))).fork({ snapshotId: v.snapshot, name: v.name });
    if (v.json) return void out.json(fork.info);
    out.line(fork.id);
  },

  async expose(argv, out) {
    const { values: v, positionals } = parse(argv, { public: { type: 'boolean' } });
    if (positionals.length !== 2) throw new UsageError('Usage: warren sandbox expose <sandbox> <port> [--public]');
    const port = num(positionals[1], 'port')!;
    const p = await (await connect(positionals[0]!)).ports.expose(port, { public: v.public });
    if (v.json) return void out.json(p);
    out.line(p.url);
  },

  /** The sandbox's recent commands; with --pid, a background process's output (replayed, then followed to its exit). */
  async logs(argv, out) {
    const { values: v, positionals } = parse(argv, { pid: { type: 'string' } });
    const sb = await connect(one(positionals, 'sandbox id or name'));
    if (v.pid) {
      const h = await sb.commands.connect(num(v.pid, 'pid')!, { onStdout: (d) => process.stdout.write(d), onStderr: (d) => process.stderr.write(d) });
      const r = await h.wait();
      return r.exitCode ?? 128 + 9;
    }
    const api = new ApiClient(connection());
    const { entries } = await api.json<{ entries: Array<{ cmd: string; exitCode: number | null; durationMs: number; createdAt: string }> }>('GET', `/sandboxes/${sb.id}/exec-log`);
    if (v.json) return void out.json(entries);
    out.line(entries.length ? table([['WHEN', 'EXIT', 'MS', 'COMMAND'], ...entries.map((e) => [e.createdAt, String(e.exitCode ?? '-'), String(e.durationMs), e.cmd])]) : 'No commands yet.');
  },
};
