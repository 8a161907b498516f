import type { RunnerClient } from '@/lib/runner-client';
import { EXEC_LOG, MARKER, type RunnerModel, type SandboxModel, step } from './runner-model';
import type { Rng } from './seed';

/**
 * The operations the battery interrupts, each as a user would call the runner API. Every call
 * goes through `step`, so the model holds exactly what was acknowledged before the kill. An op's
 * `ready` says whether the model has what it needs (a stopped sandbox to start, a snapshot to
 * fork…); ops that cannot run now are not drawn.
 */
export type Ctx = { client: RunnerClient; model: RunnerModel; rng: Rng };
export type Op = { name: string; ready: (m: RunnerModel) => boolean; run: (c: Ctx) => Promise<unknown> };

const MAX_SANDBOXES = 4;
const MAX_SNAPSHOTS = 2;
const room = (m: RunnerModel) => m.sandboxes.size < MAX_SANDBOXES;
const some = (m: RunnerModel, ...states: Array<'running' | 'paused' | 'stopped'>) => m.certain(states).length > 0;
const target = (c: Ctx, ...states: Array<'running' | 'paused' | 'stopped'>) => c.rng.pick(c.model.certain(states));

async function writeMarker(c: Ctx, sb: SandboxModel): Promise<void> {
  const content = `marker ${sb.id} ${c.rng.int(1e9)}`;
  await step(() => c.client.files.write(sb.id, MARKER, Buffer.from(content)), { after: () => (sb.marker = content) });
}

async function create(c: Ctx, input: { pooled: boolean; egress?: boolean; snapshotId?: string }): Promise<void> {
  const id = c.model.nextId(input.snapshotId ? 'fork' : 'sb');
  const egress = input.egress ?? false;
  // Pool members have the default disk; any other size is a cold create (runc run).
  const resources = input.pooled ? undefined : { diskMb: 1024 };
  const network = egress ? { mode: 'egress' as const } : undefined;
  const sb = c.model.add(id, egress, true);
  await step(() => c.client.create({ id, resources, network, snapshotId: input.snapshotId }), {
    after: (info) => Object.assign(sb, { maybe: false, state: info.state }),
    refused: () => c.model.sandboxes.delete(id),
  });
  await writeMarker(c, sb);
}

/** A lifecycle action: uncertain while in flight, the runner's answer once acknowledged. */
export async function action(c: Ctx, name: 'start' | 'stop' | 'pause' | 'resume', sb: SandboxModel): Promise<void> {
  const was = sb.state;
  await step(() => c.client[name](sb.id), {
    before: () => (sb.state = null),
    after: (info) => {
      sb.state = info.state;
      if (info.state === 'stopped') c.model.forgetProcesses(sb);
    },
    refused: () => (sb.state = was),
  });
}

/** A web server inside, on a port of its own (one a killed earlier attempt may hold is never reused). */
async function startListener(c: Ctx, sb: SandboxModel): Promise<void> {
  const port = 8000 + c.rng.int(1000);
  const cmd = ['python3', '-m', 'http.server', String(port), '--bind', '127.0.0.1'];
  const p = await c.client.processes.start(sb.id, { cmd, tag: 'listener' });
  sb.procs.add(p.pid);
  const probe = `for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && exit 0; sleep 0.05; done; exit 1`;
  const r = await c.client.exec(sb.id, { cmd: ['bash', '-c', probe] });
  if (r.exitCode !== 0) throw new Error(`listener in ${sb.id} did not come up`);
  sb.listener = port;
}

/** One HTTP request through a raw tunnel into the sandbox (nsenter + socat on the runner's side). */
async function tunnelRequest(c: Ctx, sb: SandboxModel): Promise<string> {
  const s = await c.client.tunnel(sb.id, sb.listener || 0);
  return new Promise((resolve, reject) => {
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString()));
    s.on('end', () => (got.startsWith('HTTP/1.0 200') ? resolve(got) : reject(new Error(`tunnel answered ${JSON.stringify(got.slice(0, 40))}`))));
    s.on('error', reject);
    s.on('close', () => reject(new Error('tunnel closed')));
    s.end('GET / HTTP/1.0\r\n\r\n');
  });
}

export const OPS: Op[] = [
  { name: 'create (warm pool)', ready: room, run: (c) => create(c, { pooled: true }) },
  { name: 'create (cold)', ready: room, run: (c) => create(c, { pooled: false, egress: c.rng.chance(0.5) }) },
  {
    name: 'fork',
    ready: (m) => room(m) && [...m.snapshots.values()].some((s) => !s.maybe),
    run: (c) => create(c, { pooled: false, snapshotId: c.rng.pick([...c.model.snapshots.values()].filter((s) => !s.maybe)).id }),
  },
  { name: 'start', ready: (m) => some(m, 'stopped'), run: (c) => action(c, 'start', target(c, 'stopped')) },
  { name: 'stop', ready: (m) => some(m, 'running', 'paused'), run: (c) => action(c, 'stop', target(c, 'running', 'paused')) },
  { name: 'pause', ready: (m) => some(m, 'running'), run: (c) => action(c, 'pause', target(c, 'running')) },
  { name: 'resume', ready: (m) => some(m, 'paused'), run: (c) => action(c, 'resume', target(c, 'paused')) },
  {
    name: 'snapshot',
    ready: (m) => m.snapshots.size < MAX_SNAPSHOTS && some(m, 'running', 'stopped'),
    run: async (c) => {
      const sb = target(c, 'running', 'stopped');
      const marker = sb.marker;
      const snap = await c.client.snapshots.create(sb.id);
      c.model.snapshots.set(snap.id, { id: snap.id, sandboxId: sb.id, marker, maybe: false });
    },
  },
  {
    name: 'delete',
    ready: (m) => m.certain().length >= 2 || !room(m),
    run: async (c) => {
      const sb = c.rng.pick(c.model.certain());
      await step(() => c.client.delete(sb.id), { before: () => (sb.deleting = true), after: () => c.model.sandboxes.delete(sb.id), refused: () => (sb.deleting = false) });
    },
  },
  {
    name: 'exec',
    ready: (m) => some(m, 'running'),
    run: async (c) => {
      const sb = target(c, 'running');
      const line = `line ${c.rng.int(1e9)}`;
      const r = await c.client.exec(sb.id, { cmd: ['bash', '-c', `echo '${line}' >> ${EXEC_LOG}`] });
      if (r.exitCode === 0) sb.execLines.push(line);
    },
  },
  {
    name: 'write a file',
    ready: (m) => some(m, 'running', 'stopped'),
    run: async (c) => {
      const sb = target(c, 'running', 'stopped');
      const path = `/home/user/file-${c.rng.int(3)}.txt`;
      const content = `${sb.id} ${c.rng.int(1e9)}\n`.repeat(1 + c.rng.int(4000));
      sb.files.delete(path);
      await c.client.files.write(sb.id, path, Buffer.from(content));
      sb.files.set(path, content);
    },
  },
  {
    name: 'start a background process',
    ready: (m) => some(m, 'running'),
    run: async (c) => {
      const sb = target(c, 'running');
      const p = await c.client.processes.start(sb.id, { cmd: ['sleep', '3600'], tag: 'bg' });
      sb.procs.add(p.pid);
    },
  },
  {
    name: 'create a terminal',
    ready: (m) => some(m, 'running'),
    run: async (c) => {
      const sb = target(c, 'running');
      const s = await c.client.pty.create(sb.id, { cols: 80, rows: 24 });
      sb.ptys.add(s.sessionId);
    },
  },
  {
    name: 'port tunnel',
    ready: (m) => some(m, 'running'),
    run: async (c) => {
      const sb = c.model.certain(['running']).find((s) => s.listener) ?? target(c, 'running');
      if (!sb.listener) await startListener(c, sb);
      await tunnelRequest(c, sb);
    },
  },
  {
    name: 'delete a snapshot',
    ready: (m) => m.snapshots.size >= MAX_SNAPSHOTS,
    run: async (c) => {
      const snap = c.rng.pick([...c.model.snapshots.values()]);
      // Refused (409) while a fork stands on it; unanswered, it may or may not be gone.
      await step(() => c.client.snapshots.delete(snap.id), { before: () => (snap.maybe = true), after: () => c.model.snapshots.delete(snap.id), refused: () => (snap.maybe = false) });
    },
  },
  {
    name: 'browse a snapshot',
    ready: (m) => [...m.snapshots.values()].some((s) => !s.maybe),
    run: (c) => c.client.snapshots.files.list(c.rng.pick([...c.model.snapshots.values()].filter((s) => !s.maybe)).id, '/home/user'),
  },
  {
    name: "read a stopped sandbox's file",
    ready: (m) => m.certain(['stopped']).some((s) => s.marker),
    run: (c) => c.client.files.readBuffer(c.rng.pick(c.model.certain(['stopped']).filter((s) => s.marker)).id, MARKER),
  },
];

/** Draws an op the model can run now; creates first while there are few sandboxes. */
export function drawOp(c: Ctx): Op {
  if (c.model.sandboxes.size < 2) return OPS[c.rng.int(2)]!;
  return c.rng.pick(OPS.filter((o) => o.ready(c.model)));
}
