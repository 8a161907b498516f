'use client';

import { Check, Copy } from 'lucide-react';
import * as React from 'react';
import { toast } from 'sonner';
import { Button } from './button';
import { cn } from './cn';

/** Copies `value`; falls back to selecting a hidden textarea where the Clipboard API is blocked (plain http). */
export function CopyButton({
  value,
  label = 'Copy',
  className,
  iconOnly = false,
}: {
  value: string;
  label?: string;
  className?: string;
  /** Dense tables: just the icon, the label stays for screen readers. */
  iconOnly?: boolean;
}) {
  const [copied, setCopied] = React.useState(false);

  async function copy() {
    try {
      if (navigator.clipboard && window.isSecureContext) await navigator.clipboard.writeText(value);
      else legacyCopy(value);
      setCopied(true);
      toast.success('Copied to clipboard');
      setTimeout(() => setCopied(false), 1500);
    } catch {
      toast.error('Could not copy: select the text and copy it by hand');
    }
  }

  return (
    <Button type="button" variant="outline" size="sm" onClick={copy} className={cn(className)} aria-label={label}>
      {copied ? <Check /> : <Copy />}
      {iconOnly ? <span className="sr-only">{copied ? 'Copied' : label}</span> : copied ? 'Copied' : label}
    </Button>
  );
}

function legacyCopy(value: string) {
  const area = document.createElement('textarea');
  area.value = value;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('copy refused');
}

/** A secret or link shown once: monospace, selectable, with its copy button beside it. */
export function CopyField({ value, label }: { value: string; label: string }) {
  return (
    <div className="flex items-center gap-2">
      <code
        title={label}
        data-testid="copy-field-value"
        className="min-w-0 flex-1 truncate rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2 font-mono text-xs text-zinc-800 select-all"
      >
        {value}
      </code>
      <CopyButton value={value} />
    </div>
  );
}
