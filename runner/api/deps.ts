import type { Logger } from 'pino';
import type { SandboxManager } from '@/runner/sandbox/types';
import type { ExecService } from '@/runner/services/exec-service';
import type { FileService } from '@/runner/services/file-service';
import type { PortService } from '@/runner/services/port-service';
import type { ProcessService } from '@/runner/services/process-service';
import type { PtyService } from '@/runner/services/pty-service';

/** What route modules get: the core plus the thin services built over it. */
export type ApiDeps = {
  manager: SandboxManager;
  log: Logger;
  version: string;
  exec: ExecService;
  processes: ProcessService;
  pty: PtyService;
  files: FileService;
  ports: PortService;
};
