// A Vitest reporter that writes the counts `npm test` prints (to the file named
// by STRONGROOM_TALLY_FILE). Vitest's JSON report counts a test whose suite hook
// failed as skipped, so a broken beforeAll would read as a skip; here every
// failed module or suite hook counts as one failure and its tests are not
// counted as skipped. Skips are grouped by file and outermost suite, whose
// title names the missing tool (test/fixtures/system-tools.ts).
import { writeFileSync } from 'node:fs';

export default class TallyReporter {
  onTestRunEnd(testModules, unhandledErrors) {
    const tally = { passed: 0, failed: unhandledErrors.length, skipped: 0, skips: {}, failures: [] };
    for (const module of testModules) {
      const broken = new Set();
      if (module.errors().length > 0) {
        tally.failed += 1;
        tally.failures.push(`${module.relativeModuleId}: ${module.errors()[0].message}`);
        broken.add(module);
      }
      for (const suite of module.children.allSuites()) {
        if (suite.errors().length === 0) continue;
        tally.failed += 1;
        tally.failures.push(`${module.relativeModuleId} > ${suite.fullName}: ${suite.errors()[0].message}`);
        broken.add(suite);
      }
      for (const test of module.children.allTests()) {
        const { state, note } = test.result();
        if (state === 'passed') tally.passed += 1;
        else if (state === 'failed') tally.failed += 1;
        else if (!underBrokenSuite(test, broken)) {
          tally.skipped += 1;
          const where = `${module.relativeModuleId}: ${outermostSuiteName(test)}${note ? ` (${note})` : ''}`;
          tally.skips[where] = (tally.skips[where] ?? 0) + 1;
        }
      }
    }
    writeFileSync(process.env.STRONGROOM_TALLY_FILE, JSON.stringify(tally));
  }
}

function underBrokenSuite(test, broken) {
  for (let parent = test.parent; parent; parent = parent.type === 'module' ? undefined : parent.parent) if (broken.has(parent)) return true;
  return false;
}

function outermostSuiteName(test) {
  let node = test;
  while (node.parent.type !== 'module') node = node.parent;
  return node.name;
}
