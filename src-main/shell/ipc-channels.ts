/**
 * The two raw Electron IPC channels between the preload and main.
 *
 * Every contract channel travels inside `INVOKE`, named in its arguments, so
 * main validates one entry point; events come back on `EVENT`. No imports:
 * the sandboxed preload bundles this file.
 */
export const IPC_INVOKE_CHANNEL = 'strongroom:invoke';
export const IPC_EVENT_CHANNEL = 'strongroom:event';
