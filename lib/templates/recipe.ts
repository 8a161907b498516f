import { z } from 'zod';
import { badRequest } from '@/lib/errors';
import { IMAGE_REFERENCE_HINT, IMAGE_REFERENCE_RE } from '@/lib/schemas/image-reference';

/**
 * Build recipes: a Dockerfile or the same steps as JSON, parsed into one list of steps the
 * build (lib/templates/recipe-build.ts) runs. A small parser of our own (no well-kept npm
 * Dockerfile parser fits: they are unmaintained or pull in a language server). What is not
 * supported is a 400 naming the instruction and its line, never a silent skip.
 */
export type RecipeStep =
  | { op: 'from'; image: string }
  | { op: 'run'; cmd: string[]; shell: boolean }
  | { op: 'copy'; src: string[]; dest: string }
  | { op: 'env'; vars: Record<string, string> }
  | { op: 'arg'; name: string; value: string | null }
  | { op: 'workdir'; path: string }
  | { op: 'user'; user: string }
  | { op: 'cmd'; argv: string[] }
  | { op: 'entrypoint'; argv: string[] };

export type Recipe = { steps: RecipeStep[]; source: 'dockerfile' | 'steps'; dockerfile: string | null };

export const SUPPORTED = ['FROM', 'RUN', 'COPY', 'ADD', 'ENV', 'ARG', 'WORKDIR', 'USER', 'CMD', 'ENTRYPOINT'] as const;
/** Instructions with no effect on a Warren template, accepted and skipped. */
const IGNORED = new Set(['LABEL', 'EXPOSE', 'MAINTAINER']);
export const MAX_DOCKERFILE_BYTES = 64 * 1024;
export const MAX_STEPS = 100;

class RecipeError extends Error {
  constructor(
    readonly line: number | null,
    message: string,
    readonly instruction?: string,
  ) {
    super(line === null ? message : `line ${line}: ${message}`);
  }
}

const refuse = (err: RecipeError) =>
  badRequest(`Recipe not accepted: ${err.message}`, { ...(err.line !== null && { line: err.line }), ...(err.instruction && { instruction: err.instruction }) });

/** Warren's two identities; a Dockerfile's USER must name one of them. */
export function sandboxUserOf(user: string): 'root' | 'user' | null {
  const name = user.split(':')[0]!;
  if (name === 'root' || name === '0' || name === '') return 'root';
  if (name === 'user' || name === '1000') return 'user';
  return null;
}

// ---- Dockerfile ----------------------------------------------------------------------------

type Logical = { line: number; text: string };

/** Joins `\` continuations (comment lines inside one are dropped, as Docker does). */
function logicalLines(src: string): Logical[] {
  const out: Logical[] = [];
  let cur: Logical | null = null;
  src.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (!cur && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (cur && trimmed.startsWith('#')) return;
    const cont = /\\\s*$/.test(raw);
    const part = cont ? raw.replace(/\\\s*$/, '') : raw;
    if (cur) cur.text += ` ${part.trim()}`;
    else cur = { line: i + 1, text: part.trim() };
    if (!cont) {
      out.push(cur);
      cur = null;
    }
  });
  if (cur) out.push(cur);
  return out;
}

function jsonArray(args: string): string[] | null {
  if (!args.startsWith('[')) return null;
  try {
    const v = JSON.parse(args) as unknown;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {}
  return null;
}

/** `K=V K2="a b"` (or the old `K V`): words with quotes and backslash escapes. */
function words(s: string, line: number): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (quote) throw new RecipeError(line, 'an unterminated quote');
  if (has || cur) out.push(cur);
  return out;
}

function flagsOf(instr: string, args: string, line: number): string {
  const m = /^--([a-z-]+)(=\S*)?\s*/.exec(args);
  if (m) throw new RecipeError(line, `${instr} --${m[1]} is not supported`, instr);
  return args;
}

function parseDockerfile(text: string, lines: number[]): RecipeStep[] {
  const steps: RecipeStep[] = [];
  for (const { line, text: l } of logicalLines(text)) {
    const m = /^(\S+)\s*(.*)$/s.exec(l)!;
    const instr = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (IGNORED.has(instr)) continue;
    if (!(SUPPORTED as readonly string[]).includes(instr)) {
      throw new RecipeError(line, `${m[1]} is not supported (supported: ${SUPPORTED.join(', ')}; ${[...IGNORED].join(', ')} are ignored)`, instr);
    }
    if (!args) throw new RecipeError(line, `${instr} needs arguments`, instr);
    if (instr !== 'FROM' && steps.length === 0) throw new RecipeError(line, `the first instruction must be FROM, not ${instr}`, instr);
    switch (instr) {
      case 'FROM': {
        if (steps.length) throw new RecipeError(line, 'a second FROM: multi-stage builds are not supported', instr);
        const parts = flagsOf(instr, args, line).split(/\s+/);
        if (parts.length > 1) throw new RecipeError(line, `FROM … ${parts.slice(1).join(' ')}: multi-stage builds (AS) are not supported`, instr);
        steps.push({ op: 'from', image: parts[0]! });
        break;
      }
      case 'RUN': {
        const a = flagsOf(instr, args, line);
        const argv = jsonArray(a);
        steps.push(argv ? { op: 'run', cmd: argv, shell: false } : { op: 'run', cmd: [a], shell: true });
        break;
      }
      case 'CMD':
      case 'ENTRYPOINT': {
        const argv = jsonArray(args) ?? ['/bin/sh', '-c', args];
        steps.push(instr === 'CMD' ? { op: 'cmd', argv } : { op: 'entrypoint', argv });
        break;
      }
      case 'COPY':
      case 'ADD': {
        const a = flagsOf(instr, args, line);
        const list = jsonArray(a) ?? a.split(/\s+/);
        if (list.length < 2) throw new RecipeError(line, `${instr} needs a source and a destination`, instr);
        steps.push({ op: 'copy', src: list.slice(0, -1), dest: list[list.length - 1]! });
        break;
      }
      case 'ENV': {
        const w = words(args, line);
        const vars: Record<string, string> = {};
        if (w.length && !w[0]!.includes('=')) {
          // The old form: ENV NAME the rest of the line
          vars[w[0]!] = args.slice(args.indexOf(w[0]!) + w[0]!.length).trim();
        } else {
          for (const kv of w) {
            const eq = kv.indexOf('=');
            if (eq < 1) throw new RecipeError(line, `ENV ${kv}: expected NAME=value`, instr);
            vars[kv.slice(0, eq)] = kv.slice(eq + 1);
          }
        }
        steps.push({ op: 'env', vars });
        break;
      }
      case 'ARG': {
        const [kv, ...rest] = words(args, line);
        if (rest.length) throw new RecipeError(line, 'ARG takes one NAME[=default]', instr);
        const eq = kv!.indexOf('=');
        steps.push(eq < 0 ? { op: 'arg', name: kv!, value: null } : { op: 'arg', name: kv!.slice(0, eq), value: kv!.slice(eq + 1) });
        break;
      }
      case 'WORKDIR':
        steps.push({ op: 'workdir', path: args });
        break;
      case 'USER':
        steps.push({ op: 'user', user: args });
        break;
    }
    lines.push(line);
  }
  return steps;
}

// ---- JSON steps ----------------------------------------------------------------------------

const argv = z.union([z.string().min(1), z.array(z.string()).min(1)]);
const jsonStep = z.union([
  z.strictObject({ from: z.string() }),
  z.strictObject({ run: argv }),
  z.strictObject({ copy: z.strictObject({ src: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]), dest: z.string().min(1) }) }),
  z.strictObject({ env: z.record(z.string(), z.string()) }),
  z.strictObject({ arg: z.strictObject({ name: z.string(), default: z.string().optional() }) }),
  z.strictObject({ workdir: z.string().min(1) }),
  z.strictObject({ user: z.string().min(1) }),
  z.strictObject({ cmd: argv }),
  z.strictObject({ entrypoint: argv }),
]);
export const recipeStepsSchema = z
  .array(jsonStep)
  .min(1)
  .max(MAX_STEPS)
  .describe('Build steps, the JSON twin of a Dockerfile: [{from}, {run}, {copy:{src,dest}}, {env}, {arg:{name,default}}, {workdir}, {user}, {cmd}, {entrypoint}]');
export type RecipeStepsBody = z.infer<typeof recipeStepsSchema>;

const toArgv = (v: string | string[]) => (typeof v === 'string' ? ['/bin/sh', '-c', v] : v);

function fromJson(list: RecipeStepsBody): RecipeStep[] {
  return list.map((s, i): RecipeStep => {
    if (i === 0 && !('from' in s)) throw new RecipeError(null, 'step 1 must be {"from": "<image>"}');
    if ('from' in s) {
      if (i > 0) throw new RecipeError(null, `step ${i + 1}: a second from: multi-stage builds are not supported`, 'FROM');
      return { op: 'from', image: s.from };
    }
    if ('run' in s) return typeof s.run === 'string' ? { op: 'run', cmd: [s.run], shell: true } : { op: 'run', cmd: s.run, shell: false };
    if ('copy' in s) return { op: 'copy', src: typeof s.copy.src === 'string' ? [s.copy.src] : s.copy.src, dest: s.copy.dest };
    if ('env' in s) return { op: 'env', vars: s.env };
    if ('arg' in s) return { op: 'arg', name: s.arg.name, value: s.arg.default ?? null };
    if ('workdir' in s) return { op: 'workdir', path: s.workdir };
    if ('user' in s) return { op: 'user', user: s.user };
    if ('cmd' in s) return { op: 'cmd', argv: toArgv(s.cmd) };
    return { op: 'entrypoint', argv: toArgv(s.entrypoint) };
  });
}

// ---- checks common to both -----------------------------------------------------------------

function check(steps: RecipeStep[], lines: (number | null)[]): void {
  if (steps.length > MAX_STEPS) throw new RecipeError(null, `at most ${MAX_STEPS} steps`);
  if (!steps.length || steps[0]!.op !== 'from') throw new RecipeError(null, 'a recipe starts with FROM <image>');
  steps.forEach((s, i) => {
    const line = lines[i] ?? null;
    const where = (msg: string, instr: string) => new RecipeError(line, line === null ? `step ${i + 1}: ${msg}` : msg, instr);
    if (s.op === 'from' && !IMAGE_REFERENCE_RE.test(s.image)) throw where(`FROM ${s.image}: expected ${IMAGE_REFERENCE_HINT}`, 'FROM');
    if (s.op === 'user' && !s.user.includes('$') && !sandboxUserOf(s.user)) {
      throw where(`USER ${s.user}: a Warren sandbox has two users, root (0) and user (1000)`, 'USER');
    }
    if (s.op === 'arg' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(s.name)) throw where(`ARG ${s.name}: not a variable name`, 'ARG');
    if (s.op === 'env') {
      for (const k of Object.keys(s.vars)) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw where(`ENV ${k}: not a variable name`, 'ENV');
    }
    if (s.op === 'copy') {
      for (const src of s.src) {
        if (/^(https?|git|ssh):|^git@/.test(src)) throw where(`ADD/COPY from a URL (${src}) is not supported: sources come from the uploaded context`, 'COPY');
        if (/[*?[]/.test(src)) throw where(`COPY source ${src}: wildcards are not supported`, 'COPY');
        if (src.split('/').includes('..')) throw where(`COPY source ${src} points outside the build context (..)`, 'COPY');
      }
    }
  });
}

export function parseDockerfileRecipe(text: string): Recipe {
  if (Buffer.byteLength(text) > MAX_DOCKERFILE_BYTES) throw badRequest(`A Dockerfile is at most ${MAX_DOCKERFILE_BYTES / 1024} KiB`);
  try {
    const lines: number[] = []; // each step's line, for the checks' messages
    const steps = parseDockerfile(text, lines);
    check(steps, lines);
    return { steps, source: 'dockerfile', dockerfile: text };
  } catch (err) {
    if (err instanceof RecipeError) throw refuse(err);
    throw err;
  }
}

export function parseStepsRecipe(list: RecipeStepsBody): Recipe {
  try {
    const steps = fromJson(list);
    check(steps, []);
    return { steps, source: 'steps', dockerfile: null };
  } catch (err) {
    if (err instanceof RecipeError) throw refuse(err);
    throw err;
  }
}

/** A step as a Dockerfile line, for build logs. */
export function describeStep(s: RecipeStep): string {
  switch (s.op) {
    case 'from':
      return `FROM ${s.image}`;
    case 'run':
      return `RUN ${s.shell ? s.cmd[0] : JSON.stringify(s.cmd)}`;
    case 'copy':
      return `COPY ${[...s.src, s.dest].join(' ')}`;
    case 'env':
      return `ENV ${Object.entries(s.vars)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(' ')}`;
    case 'arg':
      return `ARG ${s.name}${s.value === null ? '' : `=${s.value}`}`;
    case 'workdir':
      return `WORKDIR ${s.path}`;
    case 'user':
      return `USER ${s.user}`;
    case 'cmd':
      return `CMD ${JSON.stringify(s.argv)}`;
    case 'entrypoint':
      return `ENTRYPOINT ${JSON.stringify(s.argv)}`;
  }
}

/** `$NAME`, `${NAME}`, `${NAME:-default}` from `vars` (unknown names expand to ''), as Docker does outside RUN. */
export function expandVars(s: string, vars: Record<string, string>): string {
  return s.replace(/\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, a, def, b) => {
    if (m === '\\$') return '$';
    const v = vars[(a ?? b) as string];
    return v !== undefined && v !== '' ? v : (def ?? '');
  });
}
