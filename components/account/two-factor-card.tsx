'use client';

import { useRouter } from 'next/navigation';
import * as React from 'react';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { CopyButton } from '@/components/ui/copy-button';
import { Field, FormError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { useApiForm } from '@/lib/client/use-api-form';

type Status = { enabled: boolean; enabledAt: string | null; recoveryCodesLeft: number };
type Setup = { otpauthUri: string; secret: string; qrDataUrl: string };

/**
 * Two-factor sign-in: scan a QR code with an authenticator app, confirm with its first code,
 * save the recovery codes (shown once). Turning it off or new recovery codes need a current code.
 */
export function TwoFactorCard({ initial, continueTo }: { initial: Status; continueTo: string | null }) {
  const router = useRouter();
  const [status, setStatus] = React.useState(initial);
  const [setup, setSetup] = React.useState<Setup | null>(null);
  const [codes, setCodes] = React.useState<string[] | null>(null);
  const [manage, setManage] = React.useState<'disable' | 'regenerate' | null>(null);

  const start = useApiForm<Setup>({ onSuccess: (s) => setSetup(s) });
  const confirm = useApiForm<{ recoveryCodes: string[] }>({
    fields: ['code'],
    onSuccess: ({ recoveryCodes }) => {
      setSetup(null);
      setCodes(recoveryCodes);
      setStatus({ enabled: true, enabledAt: new Date().toISOString(), recoveryCodesLeft: recoveryCodes.length });
      toast.success('Two-factor sign-in is on');
    },
  });
  const disable = useApiForm<Status>({
    fields: ['code'],
    onSuccess: (s) => {
      setStatus(s);
      setManage(null);
      toast.success('Two-factor sign-in is off');
    },
  });
  const regenerate = useApiForm<{ recoveryCodes: string[] }>({
    fields: ['code'],
    onSuccess: ({ recoveryCodes }) => {
      setCodes(recoveryCodes);
      setManage(null);
      setStatus((s) => ({ ...s, recoveryCodesLeft: recoveryCodes.length }));
    },
  });

  return (
    <Card>
      <CardHeader
        title={
          <span className="flex items-center gap-2">
            Two-factor sign-in {status.enabled ? <Badge tone="success">On</Badge> : <Badge>Off</Badge>}
          </span>
        }
        description="A code from an authenticator app (1Password, Google Authenticator, Authy…) as well as your password."
      />
      <CardBody className="grid gap-4">
        {codes ? (
          <div className="grid gap-3" data-testid="recovery-codes">
            <p className="text-sm text-zinc-700">
              Save these recovery codes somewhere safe. Each signs you in once if you lose your phone.{' '}
              <strong>They are not shown again.</strong>
            </p>
            <pre className="rounded-md bg-zinc-50 p-3 font-mono text-sm text-zinc-900">{codes.join('\n')}</pre>
            <div className="flex flex-wrap gap-2">
              <CopyButton value={codes.join('\n')} label="Copy codes" />
              <Button
                variant="outline"
                onClick={() => {
                  setCodes(null);
                  if (continueTo) router.push(continueTo);
                }}
              >
                {continueTo ? 'I saved them, continue' : 'I saved them'}
              </Button>
            </div>
          </div>
        ) : null}

        {!status.enabled && !setup ? (
          <form onSubmit={start.submit(() => ({ path: '/api/account/two-factor', method: 'POST' }))}>
            <FormError message={start.formError} />
            <Button type="submit" pending={start.pending}>
              Set up two-factor sign-in
            </Button>
          </form>
        ) : null}

        {setup ? (
          <div className="grid gap-4 sm:grid-cols-[auto_1fr]">
            {/* biome-ignore lint/performance/noImgElement: a data: URL the server drew; nothing for next/image to optimise */}
            <img src={setup.qrDataUrl} alt="QR code to scan with your authenticator app" width={176} height={176} className="rounded border border-zinc-200" />
            <div className="grid content-start gap-3">
              <p className="text-sm text-zinc-700">Scan the code with your authenticator app, or type this key into it:</p>
              <div className="flex items-center gap-2">
                <code className="break-all rounded bg-zinc-50 px-2 py-1 font-mono text-xs text-zinc-900" data-testid="totp-secret">
                  {setup.secret}
                </code>
                <CopyButton value={setup.secret} label="Copy key" iconOnly />
              </div>
              <form
                className="grid max-w-xs gap-3"
                noValidate
                onSubmit={confirm.submit((d) => ({ path: '/api/account/two-factor/confirm', method: 'POST', body: { code: String(d.get('code') ?? '') } }))}
              >
                <FormError message={confirm.formError} />
                <Field label="Code from the app" error={confirm.fieldErrors.code}>
                  <Input name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} required />
                </Field>
                <div>
                  <Button type="submit" pending={confirm.pending}>
                    Turn on
                  </Button>
                </div>
              </form>
            </div>
          </div>
        ) : null}

        {status.enabled && !codes ? (
          <div className="grid gap-3">
            <p className="text-sm text-zinc-700">
              {status.recoveryCodesLeft} recovery code{status.recoveryCodesLeft === 1 ? '' : 's'} left.
            </p>
            {manage ? (
              <form
                className="grid max-w-xs gap-3"
                noValidate
                onSubmit={(manage === 'disable' ? disable : regenerate).submit((d) => ({
                  path: manage === 'disable' ? '/api/account/two-factor' : '/api/account/two-factor/recovery-codes',
                  method: manage === 'disable' ? 'DELETE' : 'POST',
                  body: { code: String(d.get('code') ?? '') },
                }))}
              >
                <FormError message={(manage === 'disable' ? disable : regenerate).formError} />
                <Field label="Current code or a recovery code" error={(manage === 'disable' ? disable : regenerate).fieldErrors.code}>
                  <Input name="code" autoComplete="one-time-code" required maxLength={40} />
                </Field>
                <div className="flex gap-2">
                  <Button type="submit" variant={manage === 'disable' ? 'destructive' : 'primary'} pending={disable.pending || regenerate.pending}>
                    {manage === 'disable' ? 'Turn off two-factor' : 'Make new recovery codes'}
                  </Button>
                  <Button type="button" variant="ghost" onClick={() => setManage(null)}>
                    Cancel
                  </Button>
                </div>
              </form>
            ) : (
              <div className="flex flex-wrap gap-2">
                <Button variant="outline" onClick={() => setManage('regenerate')}>
                  New recovery codes
                </Button>
                <Button variant="outline" onClick={() => setManage('disable')}>
                  Turn off
                </Button>
              </div>
            )}
          </div>
        ) : null}
      </CardBody>
    </Card>
  );
}
