'use client';

import '@xterm/xterm/css/xterm.css';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import * as React from 'react';
import { cn } from '@/components/ui/cn';
import { TerminalSocket } from './terminal-socket';
import { TerminalStatusPill } from './terminal-status-pill';
import type { ConnectRequest, TerminalConnection, TerminalStatus } from './terminal-types';

export type TerminalViewProps = {
  connect: (req: ConnectRequest) => Promise<TerminalConnection>;
  /** Forces read-only even if the server grants rw (viewers get ro tickets anyway). */
  readOnly?: boolean;
  className?: string;
  /** Extra controls shown beside the status pill. */
  toolbar?: React.ReactNode;
};

declare global {
  interface Window {
    /** The visible terminal's buffer as text: a stable hook for end-to-end tests. */
    __warrenTerminalText?: () => string;
  }
}

/** xterm.js bound to the relay. Loaded only in the browser (see terminal.tsx). */
export default function TerminalView({ connect, readOnly, className, toolbar }: TerminalViewProps) {
  const hostRef = React.useRef<HTMLDivElement>(null);
  const socketRef = React.useRef<TerminalSocket | null>(null);
  const [status, setStatus] = React.useState<TerminalStatus>('connecting');
  const [detail, setDetail] = React.useState<string | null>(null);
  const [mode, setMode] = React.useState<'rw' | 'ro'>('rw');
  const connectRef = React.useRef(connect);
  connectRef.current = connect;
  const ro = readOnly || mode === 'ro';
  const roRef = React.useRef(ro);
  roRef.current = ro;

  React.useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const term = new Terminal({
      // No blinking for people who asked their system for less motion.
      cursorBlink: !window.matchMedia('(prefers-reduced-motion: reduce)').matches,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
      fontSize: 13,
      scrollback: 5000,
      theme: { background: '#09090b', foreground: '#e4e4e7' },
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host);
    let hidden = true;
    const doFit = () => {
      // A hidden tab has no size: fitting it would shrink the shell to a sliver.
      if (host.clientWidth === 0 || host.clientHeight === 0) {
        hidden = true;
        return;
      }
      // Coming into view (page load, tab switch): typing goes to the shell. Never while hidden,
      // or keystrokes meant for another tab would reach it.
      if (hidden) term.focus();
      hidden = false;
      try {
        fit.fit();
      } catch {
        // Hidden panes have no size; the next resize fits.
      }
    };
    doFit();
    const socket = new TerminalSocket((req) => connectRef.current(req), {
      write: (d) => term.write(d),
      reset: () => term.reset(),
      size: () => ({ cols: term.cols, rows: term.rows }),
      onStatus: (s, d) => {
        setStatus(s);
        setDetail(d ?? null);
      },
      onMode: setMode,
    });
    socketRef.current = socket;
    const input = term.onData((d) => !roRef.current && socket.send(d));
    const binary = term.onBinary((d) => !roRef.current && socket.send(d));
    const resized = term.onResize(({ cols, rows }) => socket.resize(cols, rows));
    const observer = new ResizeObserver(doFit);
    observer.observe(host);
    window.addEventListener('resize', doFit);
    window.__warrenTerminalText = () => {
      const b = term.buffer.active;
      const lines: string[] = [];
      for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? '');
      return lines.join('\n');
    };
    void socket.open();
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', doFit);
      input.dispose();
      binary.dispose();
      resized.dispose();
      socket.dispose();
      socketRef.current = null;
      term.dispose();
      delete window.__warrenTerminalText;
    };
  }, []);

  return (
    <div className={cn('stay-dark flex min-h-0 flex-col bg-zinc-950', className)} data-testid="terminal">
      <div className="flex items-center gap-2 border-b border-zinc-800 px-3 py-1.5">
        <TerminalStatusPill status={status} readOnly={ro} />
        {detail ? (
          <span className="truncate text-xs text-red-300" role="alert">
            {detail}
          </span>
        ) : null}
        <div className="ml-auto flex items-center gap-2">
          {status === 'ended' && !ro ? (
            <button
              type="button"
              className="rounded bg-zinc-800 px-2 py-0.5 text-xs text-zinc-100 hover:bg-zinc-700"
              onClick={() => void socketRef.current?.open(true)}
            >
              New session
            </button>
          ) : null}
          {toolbar}
        </div>
      </div>
      <div ref={hostRef} className="min-h-0 flex-1 overflow-hidden p-2" />
    </div>
  );
}
