import pino from 'pino';

/** Structured JSON logs (pino). One root logger; modules take a child with their name. */
export const logger = pino({
  level: process.env.WARREN_LOG_LEVEL ?? 'info',
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
});
