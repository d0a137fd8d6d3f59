/**
 * The closed set of error codes Capstan returns, named as MLflow names them, and the one table
 * that maps each code to an HTTP status. Nothing else in the code base chooses a status.
 */
export const ErrorCode = {
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  INVALID_STATE: 'INVALID_STATE',
  NOT_IMPLEMENTED: 'NOT_IMPLEMENTED',
  TEMPORARILY_UNAVAILABLE: 'TEMPORARILY_UNAVAILABLE',
  REQUEST_LIMIT_EXCEEDED: 'REQUEST_LIMIT_EXCEEDED',
  RESOURCE_CONFLICT: 'RESOURCE_CONFLICT',
  NOT_FOUND: 'NOT_FOUND',
  ENDPOINT_NOT_FOUND: 'ENDPOINT_NOT_FOUND',
  RESOURCE_DOES_NOT_EXIST: 'RESOURCE_DOES_NOT_EXIST',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  BAD_REQUEST: 'BAD_REQUEST',
  RESOURCE_ALREADY_EXISTS: 'RESOURCE_ALREADY_EXISTS',
  INVALID_PARAMETER_VALUE: 'INVALID_PARAMETER_VALUE',
} as const;

/** One of the codes in {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** HTTP status for each code, as MLflow's `ERROR_CODE_TO_HTTP_STATUS`. */
export const HTTP_STATUS_OF: Readonly<Record<ErrorCode, number>> = {
  INTERNAL_ERROR: 500,
  INVALID_STATE: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
  REQUEST_LIMIT_EXCEEDED: 429,
  RESOURCE_CONFLICT: 409,
  NOT_FOUND: 404,
  ENDPOINT_NOT_FOUND: 404,
  RESOURCE_DOES_NOT_EXIST: 404,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_PARAMETER_VALUE: 400,
};

/** Wire shape of every error body. */
export interface ErrorBody {
  error_code: string;
  message: string;
}

/**
 * The error every layer throws for an expected failure. The HTTP edge turns it into
 * `{error_code, message}` with {@link HTTP_STATUS_OF}; the client rebuilds it from a response.
 * @example throw new CapstanError('RESOURCE_DOES_NOT_EXIST', `Run '${id}' not found`)
 */
export class CapstanError extends Error {
  override readonly name = 'CapstanError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** HTTP status when it came from a server; derived from the code otherwise. */
    readonly status: number = HTTP_STATUS_OF[code] ?? 500,
  ) {
    super(message);
  }

  /** The wire body for this error. */
  toBody(): ErrorBody {
    return { error_code: this.code, message: this.message };
  }
}

/** True when `e` is a {@link CapstanError}, across package copies (no `instanceof`). */
export function isCapstanError(e: unknown): e is CapstanError {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'CapstanError' && typeof (e as { code?: unknown }).code === 'string';
}

/** Shorthand for the most common failure: a bad parameter value. */
export function invalidParameter(message: string): CapstanError {
  return new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, message);
}

/** Shorthand for an unknown id or name. */
export function doesNotExist(message: string): CapstanError {
  return new CapstanError(ErrorCode.RESOURCE_DOES_NOT_EXIST, message);
}
