import fs from 'node:fs';
import path from 'node:path';
import type { RunnerClient, SandboxInfo } from '@/lib/runner-client';
import { runcState } from './host-scan';
import { type Owned, recordsOnDisk, type RunnerDirs, waitForNoLeaks } from './leaks';
import { EXEC_LOG, MARKER, type RunnerModel, type SandboxModel } from './runner-model';

/** runc's status for each state the runner may report (stopped and error: no container). */
const RUNC_STATUS: Record<string, string | null> = { running: 'running', paused: 'paused', stopped: null, error: null };

/**
 * Everything a user may rely on after the runner came back from a kill -9: each listed sandbox
 * is in a state runc agrees with and is complete on disk, nothing is left `creating`, every
 * acknowledged sandbox, state, file, process, terminal and snapshot survived, and nothing leaked
 * on the host. Updates the model with the runner's word for what was uncertain. Returns problems.
 */
export async function verifyRunner(client: RunnerClient, d: RunnerDirs, model: RunnerModel, owned: Owned): Promise<string[]> {
  const problems: string[] = [];
  const listed = new Map((await client.list()).map((s) => [s.id, s]));
  const records = new Map([...recordsOnDisk(d).values()].filter((r) => !r.pooled).map((r) => [r.id, r]));

  for (const sb of listed.values()) {
    const rec = records.get(sb.id);
    if (sb.state === 'creating') problems.push(`${sb.id} is still creating after recovery`);
    if (!rec) {
      problems.push(`${sb.id} is listed but has no record on disk`);
      continue;
    }
    // Its writable layer: a subvolume in the btrfs pool, or (the older backend) a disk image.
    const layer = (rec as { storage?: string }).storage === 'btrfs' ? path.join(d.runDir, 'pool', 'sandboxes', rec.key, 'upper') : path.join(d.dataDir, 'sandboxes', rec.key, 'disk.img');
    if (!fs.existsSync(layer)) problems.push(`${sb.id} has no writable layer (${layer})`);
    const runc = runcState(d.runDir, rec.key);
    const want = RUNC_STATUS[sb.state];
    if ((runc?.status ?? null) !== want) problems.push(`${sb.id} is ${sb.state} but runc says ${runc?.status ?? 'no container'}`);
  }

  for (const m of [...model.sandboxes.values()]) {
    const info = listed.get(m.id);
    if (!info) {
      if (m.maybe || m.deleting) model.sandboxes.delete(m.id);
      else problems.push(`${m.id} was acknowledged (${m.state}) and is gone`);
      continue;
    }
    if (m.state === null) {
      m.state = info.state;
      if (info.state === 'stopped') model.forgetProcesses(m);
    } else if (m.state !== info.state) {
      // This includes an unanswered delete: one that had not begun leaves the sandbox as it
      // was; one that had begun must be finished by recovery, not come back half-deleted.
      problems.push(`${m.id} was acknowledged ${m.state}; the runner says ${info.state}${info.reason ? ` (${info.reason})` : ''}`);
      m.state = info.state;
    }
    m.maybe = false;
    m.deleting = false;
  }
  for (const id of listed.keys()) if (!model.sandboxes.has(id)) problems.push(`${id} is listed but nobody created it`);

  for (const m of model.certain(['running', 'stopped'])) problems.push(...(await checkFiles(client, m, listed.get(m.id)!)));
  for (const m of model.certain(['running'])) {
    if (m.procs.size) {
      const procs = await client.processes.list(m.id);
      for (const pid of m.procs) if (!procs.find((p) => p.pid === pid)?.running) problems.push(`${m.id}: background process ${pid} is gone`);
    }
    if (m.ptys.size) {
      const ptys = await client.pty.list(m.id);
      for (const s of m.ptys) if (!ptys.some((p) => p.sessionId === s)) problems.push(`${m.id}: terminal ${s} is gone`);
    }
  }

  const snaps = new Set((await client.snapshots.list()).map((s) => s.id));
  for (const s of [...model.snapshots.values()]) {
    if (!snaps.has(s.id) && !s.maybe) problems.push(`snapshot ${s.id} was acknowledged and is gone`);
    if (!snaps.has(s.id)) model.snapshots.delete(s.id);
    s.maybe = false;
  }
  for (const id of snaps) {
    // A snapshot whose answer was lost: the user never learnt its id, but it is listed and whole.
    if (!model.snapshots.has(id)) model.snapshots.set(id, { id, sandboxId: '', marker: null, maybe: false });
  }

  problems.push(...(await checkJournal(client, listed)));

  const leaks = await waitForNoLeaks(d, owned);
  problems.push(...leaks.map((l) => `leak: ${l}`));
  return problems;
}

async function checkFiles(client: RunnerClient, m: SandboxModel, info: SandboxInfo): Promise<string[]> {
  const problems: string[] = [];
  const read = async (p: string) => (await client.files.readBuffer(m.id, p)).toString();
  const expected = new Map(m.files);
  if (m.marker) expected.set(MARKER, m.marker);
  for (const [p, want] of expected) {
    const got = await read(p).catch((err) => `<${(err as Error).message}>`);
    if (got !== want) problems.push(`${m.id} (${info.state}): ${p} holds ${JSON.stringify(got.slice(0, 60))}, not what was written`);
  }
  if (m.execLines.length) {
    const log = await read(EXEC_LOG).catch(() => '');
    const missing = m.execLines.filter((l) => !log.includes(`${l}\n`));
    if (missing.length) problems.push(`${m.id}: acknowledged exec output missing from ${EXEC_LOG}: ${missing.join(', ')}`);
  }
  return problems;
}

/**
 * The usage journal never loses a transition: every listed sandbox's last journaled state is its
 * state now, and a sandbox that is gone (after having been journaled) ends with `deleted`.
 */
async function checkJournal(client: RunnerClient, listed: Map<string, SandboxInfo>): Promise<string[]> {
  const last = new Map<string, string>();
  let after = 0;
  for (;;) {
    const page = await client.events(after, 5000);
    for (const e of page.events) if (e.type === 'state') last.set(e.sandboxId, e.state);
    if (!page.events.length || page.events.at(-1)!.seq >= page.lastSeq) break;
    after = page.events.at(-1)!.seq;
  }
  const problems: string[] = [];
  for (const [id, state] of last) {
    const info = listed.get(id);
    const now = info ? (info.state === 'error' ? 'stopped' : info.state) : 'deleted';
    if (now === 'creating') continue;
    if (state !== now) problems.push(`journal: ${id} was last journaled ${state} but is ${now}`);
  }
  for (const [id, info] of listed) {
    if (info.state !== 'creating' && !last.has(id)) problems.push(`journal: ${id} (${info.state}) was never journaled`);
  }
  return problems;
}
