/**
 * One error type for the whole project. Every error carries a stable `code`
 * (branch on it, never on the message), the HTTP status a Docker client
 * understands, and whether retrying the same call can help.
 */
export class ShoalError extends Error {
  /** Stable code, e.g. `ENGINE_CONTAINER_NOT_FOUND`. */
  readonly code: string;
  /** HTTP status for the Engine API edge (404, 409, 400, 500...). */
  readonly status: number;
  /** True when the same call may succeed later without a change of input. */
  readonly retryable: boolean;
  /** Structured details for logs and tests (never needed to branch). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: string,
    status: number,
    message: string,
    opts: { cause?: unknown; retryable?: boolean; details?: Record<string, unknown> } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ShoalError';
    this.code = code;
    this.status = status;
    this.retryable = opts.retryable ?? false;
    this.details = opts.details ?? {};
  }
}

/** The definition of one code in a package's registry. */
export interface ErrorDef {
  status: number;
  retryable?: boolean;
  /** One line for docs/errors.md: when this error happens and what to do. */
  doc: string;
}

/** Options accepted by a registry's error factory. */
export interface ErrorOpts {
  cause?: unknown;
  details?: Record<string, unknown>;
  retryable?: boolean;
}

/**
 * Build a package's error registry. `prefix` is the package's code prefix
 * (`ENGINE`, `RAFT`...), `defs` maps the short name to its definition. The
 * returned factory makes errors whose code is `${prefix}_${name}`.
 */
export function defineErrors<K extends string>(prefix: string, defs: Record<K, ErrorDef>) {
  const make = (name: K, message: string, opts: ErrorOpts = {}): ShoalError => {
    const def = defs[name];
    return new ShoalError(`${prefix}_${name}`, def.status, message, {
      cause: opts.cause,
      details: opts.details,
      retryable: opts.retryable ?? def.retryable ?? false,
    });
  };
  const codes = Object.fromEntries(Object.keys(defs).map((k) => [k, `${prefix}_${k}`])) as Record<K, string>;
  return { make, codes, defs, prefix };
}

/** What {@link collectErrorCodes} reads of a registry (ours, or raft-ts's of the same shape). */
export interface ErrorRegistry {
  readonly prefix: string;
  readonly defs: Readonly<Record<string, ErrorDef>>;
}

/**
 * Every code of the given registries with its definition, for
 * docs/errors.md. Registration is explicit (each package lists its
 * registries), never a side effect of an import; a code defined twice is
 * refused, whichever registries define it.
 */
export function collectErrorCodes(registries: readonly ErrorRegistry[]): Map<string, Readonly<ErrorDef>> {
  const out = new Map<string, Readonly<ErrorDef>>();
  for (const reg of registries) {
    for (const [name, def] of Object.entries(reg.defs)) {
      const code = `${reg.prefix}_${name}`;
      if (out.has(code)) throw new Error(`error code ${code} is defined twice`);
      out.set(code, def);
    }
  }
  return out;
}

/** True when `err` is a ShoalError with the given code. */
export function hasCode(err: unknown, code: string): err is ShoalError {
  return err instanceof ShoalError && err.code === code;
}

/** True when `err` is any ShoalError. */
export function isShoalError(err: unknown): err is ShoalError {
  return err instanceof ShoalError;
}
