'use client';

import * as React from 'react';
import { CreateApiKeyButton } from '@/components/api-keys/create-api-key-dialog';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { CopyButton } from '@/components/ui/copy-button';
import { useOrg } from '@/lib/client/org-context';

type Lang = 'ts' | 'python' | 'curl';

/** The quick start from the README, with this console's address filled in. */
function snippets(origin: string): Record<Lang, { label: string; install?: string; code: string }> {
  return {
    ts: {
      label: 'TypeScript',
      install: 'npm install @warren/sdk',
      code: `import { Sandbox } from '@warren/sdk';

const sandbox = await Sandbox.create();
const result = await sandbox.commands.run('python3 -c "print(6*7)"');
console.log(result.stdout); // 42
await sandbox.kill();`,
    },
    python: {
      label: 'Python',
      install: 'pip install warren-sdk',
      code: `from warren import Sandbox

sandbox = Sandbox.create()
result = sandbox.commands.run('python3 -c "print(6*7)"')
print(result.stdout)  # 42
sandbox.kill()`,
    },
    curl: {
      label: 'curl',
      code: `id=$(curl -s -X POST ${origin}/api/v1/sandboxes \\
  -H "Authorization: Bearer $WARREN_API_KEY" -H 'content-type: application/json' -d '{}' | jq -r .id)
curl -s -X POST ${origin}/api/v1/sandboxes/$id/exec \\
  -H "Authorization: Bearer $WARREN_API_KEY" -H 'content-type: application/json' \\
  -d '{"cmd": ["python3", "-c", "print(6*7)"]}'
curl -s -X DELETE ${origin}/api/v1/sandboxes/$id -H "Authorization: Bearer $WARREN_API_KEY"`,
    },
  };
}

/** Three steps from nothing to code running in a sandbox: a key, the environment, the first call. */
export function GettingStarted() {
  const { can } = useOrg();
  const [lang, setLang] = React.useState<Lang>('ts');
  // The address people reach the console by is the one their code should call.
  const [origin, setOrigin] = React.useState('http://localhost:3000');
  React.useEffect(() => setOrigin(window.location.origin), []);
  const all = snippets(origin);
  const s = all[lang];
  const envLines = `export WARREN_API_KEY=<your key>\nexport WARREN_API_URL=${origin}`;
  return (
    <Card data-testid="getting-started">
      <CardHeader title="Getting started" description="Run code in a sandbox from your own program in three steps." />
      <CardBody>
        <ol className="grid gap-6">
          <Step n={1} title="Create an API key">
            {can('api_keys:write') ? (
              <div className="flex flex-wrap items-center gap-3">
                <CreateApiKeyButton />
                <span className="text-xs text-zinc-500">It is shown once: copy it from the dialog.</span>
              </div>
            ) : (
              <p className="text-sm text-zinc-500">Ask an admin of this organization for an API key.</p>
            )}
          </Step>
          <Step n={2} title="Point the SDK at this console">
            <Snippet code={envLines} label="Copy environment" />
          </Step>
          <Step n={3} title="Run your first sandbox">
            <div role="tablist" aria-label="Language" className="mb-2 flex gap-1">
              {(Object.keys(all) as Lang[]).map((l) => (
                <button
                  key={l}
                  type="button"
                  role="tab"
                  aria-selected={l === lang}
                  onClick={() => setLang(l)}
                  className={
                    l === lang
                      ? 'rounded-md bg-zinc-100 px-2.5 py-1 text-xs font-medium text-zinc-900'
                      : 'rounded-md px-2.5 py-1 text-xs text-zinc-600 hover:bg-zinc-50'
                  }
                >
                  {all[l].label}
                </button>
              ))}
            </div>
            <div className="grid gap-2" role="tabpanel" aria-label={s.label}>
              {s.install ? <Snippet code={s.install} label="Copy install command" /> : null}
              <Snippet code={s.code} label={`Copy ${s.label} example`} />
            </div>
          </Step>
        </ol>
      </CardBody>
    </Card>
  );
}

function Step({ n, title, children }: { n: number; title: string; children: React.ReactNode }) {
  return (
    <li className="grid grid-cols-[1.75rem_minmax(0,1fr)] gap-x-3 gap-y-2">
      <span
        aria-hidden
        className="flex size-7 items-center justify-center rounded-full bg-indigo-50 text-xs font-semibold text-indigo-700"
      >
        {n}
      </span>
      <h3 className="self-center text-sm font-medium text-zinc-900">{title}</h3>
      <div className="col-start-2 min-w-0">{children}</div>
    </li>
  );
}

function Snippet({ code, label }: { code: string; label: string }) {
  return (
    <div className="relative">
      <pre className="stay-dark overflow-x-auto rounded-md bg-zinc-950 p-3 pr-12 font-mono text-xs leading-relaxed text-zinc-100">
        <code>{code}</code>
      </pre>
      <CopyButton value={code} label={label} iconOnly className="absolute top-2 right-2 h-7 px-2" />
    </div>
  );
}
