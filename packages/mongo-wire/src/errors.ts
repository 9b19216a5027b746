/** The MongoDB server error codes this server answers with (names as in MongoDB's error_codes.yml). */
export const ERROR_CODES = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  Unauthorized: 13,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  CannotCreateIndex: 67,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  CannotIndexParallelArrays: 171,
  InvalidIndexSpecificationOption: 197,
  NotImplemented: 238,
  DuplicateKey: 11000,
} as const;

export type ErrorCodeName = keyof typeof ERROR_CODES;

/**
 * A command failure; the dispatcher turns it into `{ ok: 0, errmsg, code, codeName, ...details }`
 * (a write command into a `writeErrors` entry). `details` carries extras such as a duplicate key's
 * `keyPattern` and `keyValue`.
 */
export class CommandError extends Error {
  readonly code: number;

  constructor(
    readonly codeName: ErrorCodeName,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.code = ERROR_CODES[codeName];
  }
}
