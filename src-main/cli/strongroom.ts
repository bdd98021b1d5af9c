/** The `strongroom` executable: runs one command against the real process streams. */
import { runCli } from './cli-app.js';

process.exitCode = await runCli(process.argv.slice(2), process);
