'use client';

import { useQueryClient } from '@tanstack/react-query';
import { FileCode } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogFooter, DialogHeader, DialogTrigger } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Input, Label, Select } from '@/components/ui/input';
import { ApiError, api, errorMessage } from '@/lib/client/api';
import { useOrg } from '@/lib/client/org-context';
import type { Template } from '@/lib/client/sandbox-types';
import { DockerfileEditor } from './dockerfile-editor';

const EXAMPLES: Record<string, string> = {
  python: `FROM docker.io/library/python:3.12-slim
RUN pip install --no-cache-dir requests
ENV APP_ENV=sandbox
WORKDIR /app
USER user
CMD ["python3"]
`,
  node: `FROM docker.io/library/node:22-bookworm-slim
RUN npm install -g typescript
WORKDIR /work
COPY package.json ./
USER user
`,
  debian: `FROM docker.io/library/debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends cowsay && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/games:$PATH
`,
};

/** A file as base64 (the build context the API takes), without a data: prefix. */
function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

/**
 * Create a template from a Dockerfile: a line-numbered editor, an optional build context (a tar
 * COPY reads from), the API's refusal shown on the line it names, and on success the build
 * history opens on the new build (its steps as they finish).
 */
export function CreateRecipeButton({ onCreated }: { onCreated: (templateId: string, buildId: string) => void }) {
  const { org } = useOrg();
  const qc = useQueryClient();
  const [open, setOpen] = React.useState(false);
  const [name, setName] = React.useState('');
  const [dockerfile, setDockerfile] = React.useState('');
  const [contextFile, setContextFile] = React.useState<File | null>(null);
  const [pending, setPending] = React.useState(false);
  const [errors, setErrors] = React.useState<{ name?: string; dockerfile?: string; line?: number | null; form?: string }>({});
  const form = React.useRef<HTMLFormElement>(null);

  function reset() {
    setName('');
    setDockerfile('');
    setContextFile(null);
    setErrors({});
  }

  async function submit(e?: React.FormEvent) {
    e?.preventDefault();
    if (pending) return;
    const next: typeof errors = {};
    if (!name.trim()) next.name = 'Give the template a name';
    if (!dockerfile.trim()) next.dockerfile = 'Write or paste a Dockerfile (it starts with FROM)';
    setErrors(next);
    if (next.name || next.dockerfile) return;
    setPending(true);
    try {
      const contextBase64 = contextFile ? await readBase64(contextFile) : undefined;
      const res = await api<{ template: Template; buildId: string }>('/api/v1/templates', {
        method: 'POST',
        org: org.slug,
        body: { name: name.trim(), dockerfile, ...(contextBase64 ? { contextBase64 } : {}) },
      });
      toast.success(`Template ${res.template.name} created: building`);
      setOpen(false);
      reset();
      await qc.invalidateQueries({ queryKey: ['templates', org.slug] });
      onCreated(res.template.id, res.buildId);
    } catch (err) {
      if (err instanceof ApiError) {
        const fields = err.fieldErrors();
        const line = typeof err.details.line === 'number' ? err.details.line : null;
        const recipe = line !== null || /^Recipe not accepted/.test(err.message) || Boolean(fields.dockerfile);
        setErrors({
          name: fields.name,
          ...(recipe ? { dockerfile: (fields.dockerfile ?? err.message).replace(/^Recipe not accepted: /, ''), line } : {}),
          ...(!recipe && !fields.name ? { form: err.message } : {}),
        });
      } else {
        setErrors({ form: errorMessage(err) });
      }
    } finally {
      setPending(false);
    }
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        if (pending) return;
        if (!o) reset();
        setOpen(o);
      }}
    >
      <DialogTrigger asChild>
        <Button variant="outline" data-testid="create-recipe-template">
          <FileCode /> From a Dockerfile
        </Button>
      </DialogTrigger>
      <DialogContent className="max-h-[90vh] max-w-3xl overflow-y-auto">
        <DialogHeader
          title="New template from a Dockerfile"
          description="Each RUN runs in a Warren sandbox and its changes become the next layer, cached per step: a rebuild re-runs only from the first changed step."
        />
        <form ref={form} onSubmit={submit} className="grid gap-4" noValidate>
          <FormError message={errors.form} />
          <Field label="Name" error={errors.name} hint="Lowercase letters, digits, . _ and -; pass it (or the id) as `template`.">
            <Input name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="my-tools" autoComplete="off" />
          </Field>
          <div className="grid gap-1.5">
            <div className="flex flex-wrap items-end justify-between gap-2">
              <Label htmlFor="recipe-dockerfile">Dockerfile</Label>
              <Select
                aria-label="Start from an example"
                className="h-8 w-auto text-xs"
                value=""
                onChange={(e) => {
                  const ex = EXAMPLES[e.target.value];
                  if (ex) {
                    setDockerfile(ex);
                    setErrors((x) => ({ ...x, dockerfile: undefined, line: null }));
                  }
                }}
              >
                <option value="">Start from an example…</option>
                <option value="python">Python + requests</option>
                <option value="node">Node + TypeScript</option>
                <option value="debian">Debian + apt-get</option>
              </Select>
            </div>
            <DockerfileEditor
              id="recipe-dockerfile"
              value={dockerfile}
              onChange={(v) => {
                setDockerfile(v);
                if (errors.line) setErrors((x) => ({ ...x, line: null }));
              }}
              errorLine={errors.line}
              onSubmitShortcut={() => form.current?.requestSubmit()}
              aria-invalid={errors.dockerfile ? true : undefined}
              aria-describedby={errors.dockerfile ? 'recipe-dockerfile-error' : 'recipe-dockerfile-hint'}
              placeholder={'FROM docker.io/library/python:3.12-slim\nRUN pip install requests'}
            />
            {errors.dockerfile ? (
              <p id="recipe-dockerfile-error" role="alert" data-testid="dockerfile-error" className="text-xs font-medium text-red-600">
                {errors.line ? <span className="font-mono">Line {errors.line}: </span> : null}
                {errors.dockerfile.replace(/^line \d+: /, '')}
              </p>
            ) : (
              <p id="recipe-dockerfile-hint" className="text-xs text-zinc-500">
                FROM (one stage), RUN, COPY/ADD (from the context), ENV, ARG, WORKDIR, USER (root or user), CMD, ENTRYPOINT. Ctrl+Enter creates and builds.
              </p>
            )}
          </div>
          <Field label="Build context (optional)" hint="A .tar or .tar.gz that COPY and ADD read from.">
            <Input type="file" accept=".tar,.tgz,.tar.gz,application/x-tar,application/gzip" className="h-auto py-1.5" onChange={(e) => setContextFile(e.target.files?.[0] ?? null)} />
          </Field>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => setOpen(false)} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" pending={pending}>
              Create and build
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
