// `npm test`: build, static checks, then every Vitest suite. CI does not read
// Vitest's summary, so this ends with one plain line, `N passed, N failed`,
// counting executed tests; each static check counts as one test.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const npx = (args) => ['npx', ['--no-install', ...args]];
let passed = 0;
let failed = 0;

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
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}
check('lint', npx(['eslint', '.']));
check('typecheck', ['npm', ['run', '--silent', 'typecheck']]);
check('electronegativity', ['node', ['scripts/electronegativity.mjs']]);

const reportDir = join(root, '.tmp');
mkdirSync(reportDir, { recursive: true });
const report = join(reportDir, 'vitest-report.json');
rmSync(report, { force: true });
step('vitest', npx(['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]));
try {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  // A suite that failed to load has no tests to count; count it once so it cannot pass silently.
  failed += results.testResults.filter((file) => file.status === 'failed' && file.assertionResults.length === 0).length;
} catch {
  console.log('Vitest wrote no report.');
  failed += 1;
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
