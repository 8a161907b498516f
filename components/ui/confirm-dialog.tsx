'use client';

import * as React from 'react';
import { Button } from './button';
import { Dialog, DialogContent, DialogFooter, DialogHeader } from './dialog';
import { Field, FormError } from './field';
import { Input } from './input';

type Props = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: React.ReactNode;
  confirmLabel: string;
  /** When set, the person must type this text (e.g. the org's slug) before confirming. */
  typeToConfirm?: string;
  destructive?: boolean;
  /** Throws on failure; the message is shown in the dialog and it stays open. */
  onConfirm: (typed: string) => Promise<void>;
};

export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  typeToConfirm,
  destructive = true,
  onConfirm,
}: Props) {
  const [typed, setTyped] = React.useState('');
  const [pending, setPending] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);
  const ready = typeToConfirm === undefined || typed.trim() === typeToConfirm;

  function change(next: boolean) {
    if (pending) return;
    setTyped('');
    setError(null);
    onOpenChange(next);
  }

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!ready || pending) return;
    setPending(true);
    setError(null);
    try {
      await onConfirm(typed.trim());
      setTyped('');
      onOpenChange(false);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Something went wrong');
    } finally {
      setPending(false);
    }
  }

  return (
    <Dialog open={open} onOpenChange={change}>
      <DialogContent role="alertdialog">
        <DialogHeader title={title} description={description} />
        <form onSubmit={submit} className="grid gap-4">
          <FormError message={error} />
          {typeToConfirm !== undefined ? (
            <Field label={`Type ${typeToConfirm} to confirm`}>
              <Input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" autoFocus />
            </Field>
          ) : null}
          <DialogFooter>
            {/* Focus starts on Cancel: a stray Enter must not delete anything. */}
            <Button
              type="button"
              variant="outline"
              onClick={() => change(false)}
              disabled={pending}
              autoFocus={typeToConfirm === undefined}
            >
              Cancel
            </Button>
            <Button type="submit" variant={destructive ? 'destructive' : 'primary'} pending={pending} disabled={!ready}>
              {confirmLabel}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
