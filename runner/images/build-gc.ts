import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BuildSteps } from './build-steps';

/**
 * Garbage collection of recipe builds on this runner: step records (`build:…` images), their
 * `bld-*` layers and uploaded build contexts. The console, which knows which templates live,
 * names what to keep (the images of live templates' good builds, the contexts of live
 * templates); a kept step keeps its ancestors (an unchanged prefix stays cached), everything
 * else built here goes, except what a build is using or used within the grace period (a build
 * between two steps is named nowhere yet).
 *
 * Crash-safe by ordering: records go first (their files are what name layers), then each layer
 * nothing names any more is renamed `bld-….gc-…` in the same synchronous pass that found it
 * unnamed (no step can register a record naming it in between), then removed. A runner killed at
 * any point leaves only unnamed `bld-*` dirs and `*.gc-*` dirs, which its next start removes
 * (`sweepBuildLeftovers`); a named layer is never touched.
 */
export type BuildGcInput = { keep: string[]; contexts: string[] };
export type BuildGcResult = { images: number; layers: number; contexts: number };

export const BUILD_REFERENCE_PREFIX = 'build:';

/** `WARREN_RUNNER_BUILD_GC_GRACE_SEC`, default 15 minutes. */
export function buildGcGraceMs(): number {
  const s = Number(process.env.WARREN_RUNNER_BUILD_GC_GRACE_SEC ?? 900);
  return (Number.isFinite(s) && s >= 0 ? s : 900) * 1000;
}

export async function collectBuilds(b: BuildSteps, input: BuildGcInput, graceMs = buildGcGraceMs()): Promise<BuildGcResult> {
  const images = b.m.images;
  const now = Date.now();
  const held = (name: string) => b.busy.has(name) || (b.touched.get(name) ?? 0) > now - graceMs;
  // What stays: the kept images, the young or busy ones, and every ancestor of those.
  const live = new Set<string>();
  const mark = (digest: string | undefined) => {
    for (let d = digest; d && !live.has(d); d = images.find(d)?.parent) live.add(d);
  };
  for (const d of input.keep) mark(d);
  for (const img of images.list()) if (held(img.digest)) mark(img.digest);
  let evicted = 0;
  for (const img of images.list()) {
    if (!img.reference.startsWith(BUILD_REFERENCE_PREFIX) || live.has(img.digest)) continue;
    images.evict(img.digest);
    evicted++;
  }
  const doomed = claimUnnamedLayers(b, held);
  const keepContexts = new Set(input.contexts);
  let contexts = 0;
  for (const name of fs.readdirSync(b.contextsDir)) {
    const m = /^([a-f0-9]{64})\.tar$/.exec(name);
    if (!m || keepContexts.has(m[1]!) || held(`ctx:${m[1]}`)) continue;
    fs.rmSync(path.join(b.contextsDir, name), { force: true });
    contexts++;
  }
  // Uses older than the grace period protect nothing any more: forget them (bounded memory).
  for (const [name, at] of b.touched) if (at <= now - graceMs) b.touched.delete(name);
  for (const dir of doomed) await fs.promises.rm(dir, { recursive: true, force: true });
  return { images: evicted, layers: doomed.length, contexts };
}

/**
 * `bld-*` layers no record, sandbox or snapshot names and no running step is making, each
 * renamed out of the store's namespace at once (synchronously: nothing can name it meanwhile).
 * Returns the renamed dirs, for the caller to remove.
 */
function claimUnnamedLayers(b: BuildSteps, held: (name: string) => boolean = (n) => b.busy.has(n)): string[] {
  const dir = b.m.paths.layersDir;
  const named = b.m.images.namedLayers();
  const doomed: string[] = [];
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (!name.startsWith('bld-') || name.includes('.') || named.has(name) || held(name)) continue;
    const to = path.join(dir, `${name}.gc-${crypto.randomBytes(4).toString('hex')}`);
    fs.renameSync(path.join(dir, name), to);
    doomed.push(to);
  }
  return doomed;
}

/**
 * At start, after the image records and sandboxes are loaded: what a GC (or a step) killed
 * midway left. Unnamed `bld-*` layers and `*.gc-*` dirs go; no step runs yet, so none is busy.
 */
export function sweepBuildLeftovers(b: BuildSteps): number {
  const dir = b.m.paths.layersDir;
  const doomed = claimUnnamedLayers(b);
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) if (name.startsWith('bld-') && name.includes('.gc-')) doomed.push(path.join(dir, name));
  for (const d of doomed) fs.rmSync(d, { recursive: true, force: true });
  return doomed.length;
}
