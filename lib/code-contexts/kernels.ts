/**
 * The kernels that hold code contexts, run inside the sandbox as background processes (never on
 * the host): each reads one JSON request per line on stdin, `{id, code}`, runs it in its
 * long-lived namespace, and writes JSON events tagged with the request's id on its own stdout
 * (the user's prints are captured into events): stdout, stderr, result (`text`, `png` base64 from
 * open matplotlib figures, `html`, `json`), error (name, value, traceback),
 * number_of_executions, then end.
 */
export const PYTHON_KERNEL = String.raw`
import ast, base64, io, json, os, sys, traceback
_proto = os.fdopen(os.dup(1), 'w', buffering=1)
def emit(ev):
    _proto.write(json.dumps(ev) + '\n')
    _proto.flush()
class Capture(io.TextIOBase):
    # Whole lines, as a terminal shows them (print writes its text and its newline apart).
    def __init__(self, rid, kind):
        self.rid, self.kind, self.buf = rid, kind, ''
    def writable(self):
        return True
    def write(self, text):
        self.buf += text
        cut = self.buf.rfind('\n') + 1
        if cut:
            emit({'id': self.rid, 'type': self.kind, 'text': self.buf[:cut]})
            self.buf = self.buf[cut:]
        return len(text)
    def flush(self):
        if self.buf:
            emit({'id': self.rid, 'type': self.kind, 'text': self.buf})
            self.buf = ''
def rich(value):
    out = {'text': repr(value)}
    for attr, key in (('_repr_html_', 'html'), ('_repr_json_', 'json')):
        fn = getattr(value, attr, None)
        if callable(fn):
            try:
                out[key] = fn()
            except Exception:
                pass
    return out
ns = {'__name__': '__main__'}
count = 0
for line in sys.stdin:
    try:
        req = json.loads(line)
    except ValueError:
        continue
    rid = req.get('id')
    count += 1
    sys.stdout, sys.stderr = Capture(rid, 'stdout'), Capture(rid, 'stderr')
    try:
        tree = ast.parse(req.get('code', ''), '<cell>', 'exec')
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, '<cell>', 'exec'), ns)
        if last is not None:
            value = eval(compile(last, '<cell>', 'eval'), ns)
            if value is not None:
                emit(dict(rich(value), id=rid, type='result', is_main_result=True))
        plt = sys.modules.get('matplotlib.pyplot')
        if plt is not None:
            for num in plt.get_fignums():
                buf = io.BytesIO()
                plt.figure(num).savefig(buf, format='png')
                emit({'id': rid, 'type': 'result', 'png': base64.b64encode(buf.getvalue()).decode(), 'is_main_result': False})
            plt.close('all')
    except BaseException as e:
        emit({'id': rid, 'type': 'error', 'name': type(e).__name__, 'value': str(e), 'traceback': traceback.format_exc()})
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    emit({'id': rid, 'type': 'number_of_executions', 'execution_count': count})
    emit({'id': rid, 'type': 'end'})
`;

export const JAVASCRIPT_KERNEL = String.raw`
const vm = require('node:vm');
const util = require('node:util');
const out = (ev) => process.stdout.write(JSON.stringify(ev) + '\n');
let rid = null;
let count = 0;
const fmt = (args) => args.map((a) => (typeof a === 'string' ? a : util.inspect(a))).join(' ') + '\n';
const log = (type) => (...args) => out({ id: rid, type, text: fmt(args) });
const sandbox = { console: { log: log('stdout'), info: log('stdout'), warn: log('stderr'), error: log('stderr') }, require, process, Buffer, setTimeout, clearTimeout, setInterval, clearInterval, URL, TextEncoder, TextDecoder, fetch: globalThis.fetch };
const ctx = vm.createContext(sandbox);
let chain = Promise.resolve();
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  chain = chain.then(async () => {
    let req;
    try { req = JSON.parse(line); } catch { return; }
    rid = req.id;
    count += 1;
    try {
      let value = vm.runInContext(req.code ?? '', ctx, { filename: '<cell>' });
      if (value && typeof value.then === 'function') value = await value;
      if (value !== undefined) out({ id: rid, type: 'result', text: util.inspect(value), is_main_result: true });
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      out({ id: rid, type: 'error', name: err.name, value: err.message, traceback: err.stack ?? String(err) });
    }
    out({ id: rid, type: 'number_of_executions', execution_count: count });
    out({ id: rid, type: 'end' });
  });
});
`;

/** Bash: one long-lived shell per context; each cell ends with a marker line carrying its exit status. */
export const BASH_KERNEL = String.raw`
import json, os, subprocess, sys, threading
_proto = os.fdopen(os.dup(1), 'w', buffering=1)
lock = threading.Lock()
def emit(ev):
    with lock:
        _proto.write(json.dumps(ev) + '\n')
        _proto.flush()
sh = subprocess.Popen(['/bin/bash', '--noprofile', '--norc'], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1, cwd=os.environ.get('HOME', '/'))
state = {'rid': None}
done = threading.Event()
def pump(stream, kind):
    held = False
    for line in stream:
        if kind == 'stdout' and line.startswith('__WARREN_END__ '):
            held = False
            state['status'] = int(line.split()[1])
            done.set()
            continue
        if held:
            emit({'id': state['rid'], 'type': kind, 'text': '\n'})
            held = False
        if kind == 'stdout' and line == '\n':
            held = True
            continue
        emit({'id': state['rid'], 'type': kind, 'text': line})
threading.Thread(target=pump, args=(sh.stdout, 'stdout'), daemon=True).start()
threading.Thread(target=pump, args=(sh.stderr, 'stderr'), daemon=True).start()
count = 0
for line in sys.stdin:
    try:
        req = json.loads(line)
    except ValueError:
        continue
    rid = req.get('id')
    state['rid'] = rid
    count += 1
    done.clear()
    sh.stdin.write(req.get('code', '') + '\nprintf "\\n__WARREN_END__ %d\\n" $? >&1\n')
    sh.stdin.flush()
    done.wait()
    if state.get('status'):
        emit({'id': rid, 'type': 'error', 'name': 'ExitStatus', 'value': str(state['status']), 'traceback': ''})
    emit({'id': rid, 'type': 'number_of_executions', 'execution_count': count})
    emit({'id': rid, 'type': 'end'})
`;

export const LANGUAGES = ['python', 'javascript', 'bash'] as const;
export type Language = (typeof LANGUAGES)[number];

export function kernelArgv(language: Language): string[] {
  if (language === 'javascript') return ['node', '-e', JAVASCRIPT_KERNEL];
  return ['python3', '-u', '-c', language === 'bash' ? BASH_KERNEL : PYTHON_KERNEL];
}
