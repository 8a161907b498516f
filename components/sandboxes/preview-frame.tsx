'use client';

import { RotateCw, X } from 'lucide-react';
import * as React from 'react';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import type { Port } from '@/lib/client/sandbox-types';

/** The preview in an in-page frame; reload re-requests it (the server inside may have changed). */
export function PreviewFrame({ port, onClose }: { port: Port; onClose: () => void }) {
  const [nonce, setNonce] = React.useState(0);
  return (
    <Card>
      <CardHeader
        title={`Preview of port ${port.port}`}
        description={<span className="font-mono text-xs">{port.url}</span>}
        actions={
          <>
            <Button variant="ghost" size="icon" aria-label="Reload preview" onClick={() => setNonce((n) => n + 1)}>
              <RotateCw />
            </Button>
            <Button variant="ghost" size="icon" aria-label="Close preview" onClick={onClose}>
              <X />
            </Button>
          </>
        }
      />
      <iframe
        key={nonce}
        title={`Port ${port.port} preview`}
        src={port.url}
        className="h-[28rem] w-full rounded-b-lg bg-white"
      />
    </Card>
  );
}
