import type { StoreLogger } from '@a2a-stores/core';

/** Levels in increasing verbosity; a logger prints its own level and everything before it. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The agent's logger. It never receives message content, secrets, tenant or owner names: callers
 * pass ids and states only, so the log is safe to ship anywhere.
 */
export interface AgentLogger extends StoreLogger {
  error(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  debug(message: string, details?: Record<string, unknown>): void;
}

/** Parses a level name, refusing anything unknown so a typo does not silence the log. */
export function parseLogLevel(value: string | undefined): LogLevel {
  if (value === undefined || value === '') return 'info';
  const level = value.toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new Error(
    `A2A_AGENT_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(value)}`,
  );
}

/** A line-per-event logger on stderr (stdout carries only the URL banner). */
export function createLogger(
  level: LogLevel,
  sink: (line: string) => void = writeStderr,
): AgentLogger {
  const threshold = LOG_LEVELS.indexOf(level);
  const emit = (at: LogLevel, message: string, details?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(at) > threshold) return;
    const suffix = details && Object.keys(details).length > 0 ? ` ${JSON.stringify(details)}` : '';
    sink(`[durable-agent] ${at}: ${message}${suffix}`);
  };
  return {
    error: (message, details) => emit('error', message, details),
    warn: (message, details) => emit('warn', message, details),
    info: (message, details) => emit('info', message, details),
    debug: (message, details) => emit('debug', message, details),
  };
}

function writeStderr(line: string): void {
  process.stderr.write(`${line}\n`);
}
