/** The two ways a command fails: a usage error (exit 2, usage shown) and a user error (exit 1, one line). */
export class UsageError extends Error {}
export class UserError extends Error {
  constructor(
    message: string,
    /** The core's error code when the error came from a channel call (e.g. CANCELLED). */
    readonly code?: string,
  ) {
    super(message);
  }
}
