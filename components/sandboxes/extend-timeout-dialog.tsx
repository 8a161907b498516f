'use client';

import * as React from 'react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogFooter, DialogHeader } from '@/components/ui/dialog';
import { Field, FormError } from '@/components/ui/field';
import { Select } from '@/components/ui/input';
import { errorMessage } from '@/lib/client/api';
import type { Sandbox } from '@/lib/client/sandbox-types';
import { timeLeft } from '@/lib/client/sandbox-format';
import { useSandboxMutations } from './use-sandbox-mutations';

const CHOICES = [
  { label: '15 minutes', sec: 900 },
  { label: '1 hour', sec: 3600 },
  { label: '4 hours', sec: 4 * 3600 },
  { label: '24 hours', sec: 86400 },
];

/** Sets a new TTL counted from now (the API's `timeoutSec` semantics). */
export function ExtendTimeoutDialog({
  sandbox,
  open,
  onOpenChange,
}: {
  sandbox: Sandbox;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const m = useSandboxMutations();
  const [sec, setSec] = React.useState(3600);
  const [pending, setPending] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setPending(true);
    setError(null);
    try {
      await m.extend(sandbox.id, sec);
      onOpenChange(false);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setPending(false);
    }
  }

  return (
    <Dialog open={open} onOpenChange={(o) => !pending && onOpenChange(o)}>
      <DialogContent>
        <DialogHeader
          title="Extend timeout"
          description={`Expires in ${timeLeft(sandbox.expiresAt)} now. The new timeout counts from now.`}
        />
        <form onSubmit={submit} className="grid gap-4">
          <FormError message={error} />
          <Field label="Keep it alive for">
            <Select value={sec} onChange={(e) => setSec(Number(e.target.value))} autoFocus>
              {CHOICES.map((c) => (
                <option key={c.sec} value={c.sec}>
                  {c.label}
                </option>
              ))}
            </Select>
          </Field>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" pending={pending}>
              Extend
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
