// `npm test`: build, static checks, then every Vitest suite. CI does not read
// Vitest's summary, so this ends with one plain line, `N passed, N failed,
// N skipped`, counting tests; each static check counts as one test. Before it,
// every skipped suite is listed by its title, which names the missing tool
// (test/fixtures/system-tools.ts) or the opt-in it waits for.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const npx = (args) => ['npx', ['--no-install', ...args]];
let passed = 0;
let failed = 0;
let skipped = 0;

function step(name, [command, args], options = {}) {
  console.log(`\n=== ${name}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  const ok = result.status === 0;
  console.log(`=== ${name}: ${ok ? 'passed' : 'FAILED'}`);
  return ok;
}

function check(name, command) {
  if (step(name, command)) passed += 1;
  else failed += 1;
}

const built = step('build', ['node', ['scripts/build.mjs']]);
if (!built) {
  console.log('\n0 passed, 1 failed, 0 skipped');
  process.exit(1);
}
check('lint', npx(['eslint', '.']));
check('typecheck', ['npm', ['run', '--silent', 'typecheck']]);
check('electronegativity', ['node', ['scripts/electronegativity.mjs']]);

const reportDir = join(root, '.tmp');
mkdirSync(reportDir, { recursive: true });
const tallyFile = join(reportDir, 'vitest-tally.json');
rmSync(tallyFile, { force: true });
step('vitest', npx(['vitest', 'run', '--reporter=default', '--reporter=./scripts/vitest-tally-reporter.mjs']), {
  env: { ...process.env, STRONGROOM_TALLY_FILE: tallyFile },
});
try {
  const tally = JSON.parse(readFileSync(tallyFile, 'utf8'));
  passed += tally.passed;
  failed += tally.failed;
  skipped += tally.skipped;
  if (tally.failures.length > 0) console.log(`\nFailed outside a test (a hook or the file itself):\n${tally.failures.map((line) => `  ${line}`).join('\n')}`);
  const skips = Object.entries(tally.skips);
  if (skips.length > 0) console.log(`\nSkipped:\n${skips.map(([where, count]) => `  ${count} in ${where}`).join('\n')}`);
} catch {
  console.log('Vitest wrote no tally.');
  failed += 1;
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);
