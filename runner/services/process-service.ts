import type { ServerResponse } from 'node:http';
import path from 'node:path';
import type { Logger } from 'pino';
import { AppError, notFound } from '@/lib/errors';
import type { ProcessInfo } from '@/lib/runner-client/types';
import type { ProcessBody } from '@/runner/api/schemas';
import type { SandboxManager } from '@/runner/sandbox/types';
import { commandEnv, identity, sandboxPath } from './command-env';
import { streamHubNdjson } from './hub-ndjson';
import { isGone } from './json-store';
import { ProcHub } from './proc-hub';
import { type RecordChange, RecordLog } from './record-log';

type ProcRecord = Omit<ProcessInfo, 'running'> & { exited: boolean };
type SandboxProcs = {
  records: Map<number, ProcRecord>;
  /** The records on disk: a snapshot and a log of changes (record-log.ts). */
  log: RecordLog<ProcRecord>;
  hubs: Map<number, ProcHub>;
  /** In-flight re-attaches: concurrent callers share one (the agent keeps only the newest client). */
  attaching: Map<number, Promise<ProcHub | null>>;
  /** Forgotten (the sandbox stopped or went): its records are not written any more. */
  gone?: boolean;
};

const RING_BYTES = 256 * 1024;
/** Background processes per sandbox the runner follows at once (each: a connection and a ring). */
export const MAX_LIVE_PROCESSES = 64;
/** Processes the agent lists that the runner has no record of, re-attached per listing. */
const MAX_UNKNOWN_ATTACH = 16;
/** Exited processes whose output we keep for late readers, per sandbox. */
const KEEP_EXITED = 16;

/**
 * Background processes: started detached through the agent, so they outlive the request and
 * the runner. The runner keeps one connection per live process (a ProcHub) to learn its exit
 * status and serve its output to any number of readers; records are persisted in the agent dir
 * so a restarted runner still lists them and re-attaches on demand.
 */
export class ProcessService {
  private readonly sandboxes = new Map<string, Promise<SandboxProcs>>();

  constructor(
    private readonly manager: SandboxManager,
    private readonly log: Logger,
    /** Detached pids another service holds (terminals' shells): never adopted as processes, since
     * attaching to one takes its output away from its terminal. */
    private readonly heldElsewhere: (id: string) => Promise<Set<number>> = async () => new Set(),
  ) {}

  private metaFile(id: string) {
    // Runner-private: /run/warren inside the sandbox is writable by the sandbox's root.
    return path.join(this.manager.stateDir(id), 'procs-meta.json');
  }

  private load(id: string): Promise<SandboxProcs> {
    this.manager.get(id); // unknown ids are a 404 before any path is built from them
    let p = this.sandboxes.get(id);
    if (!p) {
      const bootedAt = Date.parse(this.manager.get(id).startedAt ?? '');
      p = RecordLog.open<ProcRecord>(this.metaFile(id)).then(({ log, records }) => {
        // Records of an earlier run of the sandbox (a runner killed before it dropped them at
        // the stop): those processes are gone, and their pids may be anyone's now.
        for (const [pid, r] of records) if (Date.parse(r.startedAt) < bootedAt) records.delete(pid);
        return { records, log, hubs: new Map(), attaching: new Map() };
      });
      this.sandboxes.set(id, p);
      p.catch(() => this.sandboxes.delete(id));
    }
    return p;
  }

  /** Puts changes on disk at once (a start waits for its record before answering). */
  private persist(id: string, sb: SandboxProcs, changes: RecordChange<ProcRecord>[]) {
    if (sb.gone) return;
    try {
      sb.log.write(changes, () => sb.records.values());
    } catch (err) {
      this.log.warn({ err, sandboxId: id }, 'could not persist process records');
    }
  }

  /** Follows a process through its hub: the exit status lands in the record. */
  private watch(id: string, sb: SandboxProcs, hub: ProcHub) {
    sb.hubs.set(hub.pid, hub);
    hub.on('exit', (exit) => {
      const rec = sb.records.get(hub.pid);
      if (rec) Object.assign(rec, exit, { exited: true });
      const dropped = this.prune(sb);
      // Written once the exit has gone out to the process's followers (the hub's 'close' comes
      // before the next turn): a synchronous write is not theirs to wait for. A runner killed in
      // that turn lists the process as not running, without its exit status (as one killed
      // between the agent's exit frame and the write always did).
      // What the touched pids' records are when written, not when the exit came: a pid the
      // sandbox reused meanwhile keeps its new record.
      const touched = [hub.pid, ...dropped];
      setImmediate(() =>
        this.persist(
          id,
          sb,
          touched.map((pid): RecordChange<ProcRecord> => {
            const now = sb.records.get(pid);
            return now ? { put: { ...now } } : { drop: pid };
          }),
        ),
      );
    });
  }

  /** Forgets the oldest exited processes past KEEP_EXITED; returns their pids. */
  private prune(sb: SandboxProcs): number[] {
    const exited = [...sb.records.values()].filter((r) => r.exited);
    const dropped = exited.slice(0, Math.max(0, exited.length - KEEP_EXITED));
    for (const r of dropped) {
      sb.records.delete(r.pid);
      sb.hubs.delete(r.pid);
    }
    return dropped.map((r) => r.pid);
  }

  private liveHubs(sb: SandboxProcs): number {
    let n = 0;
    for (const h of sb.hubs.values()) if (!h.closed) n++;
    return n;
  }

  async start(id: string, body: ProcessBody) {
    return (await this.spawnRecorded(id, body)).started;
  }

  /** Starts a detached process, recorded (in memory and on disk) and followed by its hub. */
  private async spawnRecorded(id: string, body: ProcessBody) {
    const info = this.manager.get(id);
    const agent = this.manager.agent(id);
    this.manager.touch(id);
    const sb = await this.load(id);
    // Each live process holds a connection and a ring buffer in the runner: bounded per sandbox.
    if (this.liveHubs(sb) >= MAX_LIVE_PROCESSES) {
      throw new AppError('quota_exceeded', `A sandbox runs at most ${MAX_LIVE_PROCESSES} background processes at once; kill one first`);
    }
    const who = identity(body.user);
    const proc = await agent.spawn({
      argv: body.cmd,
      env: commandEnv(info, body.user, body.env, this.manager.secretEnv(id)),
      cwd: body.cwd ? sandboxPath(body.cwd, who.home) : (info.workdir ?? who.home),
      uid: who.uid,
      gid: who.gid,
      detach: true,
      ringBytes: RING_BYTES,
    });
    if (!body.stdin) proc.end(); // background jobs read EOF, like `cmd </dev/null &`, unless asked
    const rec: ProcRecord = {
      pid: proc.pid,
      cmd: body.cmd,
      tag: body.tag ?? null,
      startedAt: new Date().toISOString(),
      exited: false,
    };
    sb.records.set(rec.pid, rec);
    const hub = new ProcHub(proc, RING_BYTES);
    this.watch(id, sb, hub);
    this.persist(id, sb, [{ put: { ...rec } }]); // durable before we answer: a restart right after must find it
    return { started: { pid: rec.pid, cmd: rec.cmd, startedAt: rec.startedAt }, hub };
  }

  /**
   * Starts a process and follows it on the same response: a `start` event (pid, cmd, startedAt)
   * once it is recorded, then its output as `output` streams it. One call instead of start then
   * output; hanging up still only detaches, the process runs on and stays listed.
   */
  async startAndStream(id: string, body: ProcessBody, res: ServerResponse): Promise<void> {
    const { started, hub } = await this.spawnRecorded(id, body);
    this.manager.touch(id);
    await streamHubNdjson(hub, res, { type: 'start', ...started });
  }

  /** The live hub of a process, re-attaching through its socket after a runner restart. */
  private async hub(id: string, sb: SandboxProcs, pid: number): Promise<ProcHub | null> {
    const existing = sb.hubs.get(pid);
    if (existing && (!existing.closed || existing.exit)) return existing;
    let pending = sb.attaching.get(pid);
    if (!pending) {
      pending = this.reattach(id, sb, pid).finally(() => sb.attaching.delete(pid));
      sb.attaching.set(pid, pending);
    }
    return pending;
  }

  private async reattach(id: string, sb: SandboxProcs, pid: number): Promise<ProcHub | null> {
    if (this.manager.get(id).state !== 'running') return null;
    const proc = await this.manager
      .agent(id)
      .attach(pid)
      .catch((err) => {
        if (isGone(err)) return null;
        throw err;
      });
    if (!proc) return null;
    if (!sb.records.has(pid)) {
      sb.records.set(pid, { pid, cmd: [], tag: null, startedAt: new Date().toISOString(), exited: false });
    }
    const hub = new ProcHub(proc, RING_BYTES);
    this.watch(id, sb, hub);
    return hub;
  }

  async list(id: string): Promise<ProcessInfo[]> {
    const info = this.manager.get(id);
    const sb = await this.load(id);
    if (info.state === 'running') {
      // Detached processes we have no record of (records lost) still are processes the user
      // started; but the agent's list is the sandbox's word, so only a few unknown ones are taken.
      const known = [...sb.records.values()].filter((r) => !r.exited).map((r) => r.pid);
      const listed = await this.manager.agent(id).detachedPids().catch(() => [] as number[]);
      const held = await this.heldElsewhere(id).catch(() => new Set<number>());
      const unknown = listed
        .filter((p) => !sb.records.has(p) && !sb.hubs.has(p) && !held.has(p))
        .slice(0, MAX_UNKNOWN_ATTACH);
      for (const pid of new Set([...known, ...unknown])) {
        if (this.liveHubs(sb) >= MAX_LIVE_PROCESSES && !sb.hubs.has(pid)) break;
        await this.hub(id, sb, pid).catch((err) => this.log.debug({ err, pid }, 'attach failed'));
      }
    }
    return [...sb.records.values()].map(({ exited, ...r }) => {
      const hub = sb.hubs.get(r.pid);
      return { ...r, running: !exited && !!hub && !hub.closed };
    });
  }

  async output(id: string, pid: number, res: ServerResponse): Promise<void> {
    const sb = await this.load(id);
    const hub = await this.hub(id, sb, pid);
    if (!hub) {
      const rec = sb.records.get(pid);
      if (!rec) throw notFound(`Process ${pid}`);
      throw new AppError('conflict', `Process ${pid} is not running and its output is no longer kept`);
    }
    this.manager.touch(id);
    await streamHubNdjson(hub, res);
  }

  /** Writes to a process started with `stdin: true`; `eof` closes its stdin afterwards. */
  async input(id: string, pid: number, data: string | undefined, eof: boolean): Promise<void> {
    const sb = await this.load(id);
    const hub = await this.hub(id, sb, pid);
    if (!hub) throw sb.records.has(pid) ? new AppError('conflict', `Process ${pid} has exited`) : notFound(`Process ${pid}`);
    if (hub.closed) throw new AppError('conflict', `Process ${pid} has exited`);
    this.manager.touch(id);
    if (data) hub.write(Buffer.from(data));
    if (eof) hub.endInput();
  }

  /** Sends `signal` to the process's group; a SIGKILL waits (briefly) for it to be gone. */
  async kill(id: string, pid: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const sb = await this.load(id);
    const hub = await this.hub(id, sb, pid);
    if (!hub) {
      if (sb.records.has(pid)) return; // already gone: killing is idempotent
      throw notFound(`Process ${pid}`);
    }
    if (hub.closed) return;
    if (signal !== 'SIGKILL') return hub.kill(signal); // it may handle or ignore it: no waiting
    const closed = new Promise<void>((resolve) => hub.once('close', () => resolve()));
    hub.kill('SIGKILL');
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5000).unref())]);
  }

  /** Lets go of a sandbox's processes; `discard` (they are gone) also drops their records. */
  forgetSandbox(id: string, discard = false): void {
    if (discard) void RecordLog.remove(this.metaFile(id)).catch(() => {});
    const p = this.sandboxes.get(id);
    this.sandboxes.delete(id);
    p?.then((sb) => {
      sb.gone = true; // a write still on its way (an exit's) must not bring a discarded file back
      for (const hub of sb.hubs.values()) hub.detach();
    }).catch(() => {});
  }

  /** Runner shutdown: let go of the processes, never kill them. */
  shutdown(): void {
    for (const id of [...this.sandboxes.keys()]) this.forgetSandbox(id);
  }
}
