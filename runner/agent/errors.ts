import os from 'node:os';

const errnoNames = new Map<number, string>();
for (const [name, num] of Object.entries(os.constants.errno)) if (!errnoNames.has(num)) errnoNames.set(num, name);

/** An operation the agent refused, with the errno it failed with inside the sandbox. */
export class AgentFsError extends Error {
  readonly errno: number;
  readonly code: string;
  constructor(errno: number, message: string) {
    super(message);
    this.name = 'AgentFsError';
    this.errno = errno;
    this.code = errnoNames.get(errno) ?? `E${errno}`;
  }
}

/** The agent could not be reached or broke the protocol (not an error of the operation itself). */
export class AgentConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentConnectionError';
  }
}

/** A write exceeded its maxBytes: nothing was written (the temp file is discarded). */
export class AgentLimitError extends Error {
  readonly code = 'EFBIG';
  readonly limit: number;
  constructor(limit: number, message = `file exceeds the ${limit} byte limit`) {
    super(message);
    this.name = 'AgentLimitError';
    this.limit = limit;
  }
}

export function decodeErr(payload: Buffer): AgentFsError {
  if (payload.length < 4) return new AgentFsError(0, 'agent error');
  return new AgentFsError(payload.readUInt32BE(0), payload.subarray(4).toString('utf8'));
}
