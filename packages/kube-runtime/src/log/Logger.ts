/** Log levels, least to most severe. @public */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Structured fields of a log entry (controller, reconcileID, object, error, ...). @public */
export type LogFields = Record<string, unknown>;

/**
 * A structured logger; the method shapes match Backstage's LoggerService so either can be passed.
 *
 * @public
 */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** @public */
export interface JsonLoggerOptions {
  /** Minimum level written. Default `info`. */
  level?: LogLevel;
  /** Where lines go. Default process.stderr. */
  write?: (line: string) => void;
  /** Fields on every line. */
  fields?: LogFields;
  /** Time source (ms since epoch). */
  now?: () => number;
}

/**
 * Writes one JSON object per line: `ts` (ISO 8601), `level`, `msg`, then the fields.
 * Errors are flattened to their message (and `reason`/`code` for API errors) so lines stay
 * greppable and never carry a stack into log aggregation by surprise.
 *
 * @public
 */
export class JsonLogger implements Logger {
  private readonly min: number;
  private readonly write: (line: string) => void;
  private readonly fields: LogFields;
  private readonly now: () => number;

  constructor(options: JsonLoggerOptions = {}) {
    this.min = rank[options.level ?? 'info'];
    this.write = options.write ?? (line => process.stderr.write(`${line}\n`));
    this.fields = options.fields ?? {};
    this.now = options.now ?? Date.now;
  }

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }

  child(fields: LogFields): Logger {
    const child = Object.create(JsonLogger.prototype) as JsonLogger;
    Object.assign(child, this, { fields: { ...this.fields, ...fields } });
    return child;
  }

  private log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (rank[level] < this.min) return;
    const entry: LogFields = { ts: new Date(this.now()).toISOString(), level, msg };
    for (const source of [this.fields, fields]) {
      if (!source) continue;
      for (const [k, v] of Object.entries(source)) {
        if (v !== undefined) entry[k] = v instanceof Error ? describeError(v) : v;
      }
    }
    let line: string;
    try {
      line = JSON.stringify(entry);
    } catch {
      line = JSON.stringify({ ts: entry.ts, level, msg, error: 'unserializable log fields' });
    }
    this.write(line);
  }
}

function describeError(err: Error): string {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message}: ${describeError(cause)}` : err.message;
}

/** A logger that drops everything. @public */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
