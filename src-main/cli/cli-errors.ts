/** The two ways a command fails: a usage error (exit 2, usage shown) and a user error (exit 1, one line). */
export class UsageError extends Error {}
export class UserError extends Error {}
