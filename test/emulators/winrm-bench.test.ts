// The benchmark runs end to end and reports both medians and their ratio.
import { expect, it } from 'vitest';
import { benchWinrmNtlm } from './winrm-bench.js';

it('measures our client and pywinrm against the same emulator', async () => {
  const result = await benchWinrmNtlm(5);
  expect(result.iterations).toBe(5);
  expect(result.oursMedianMs).toBeGreaterThan(0);
  expect(result.pywinrmMedianMs).toBeGreaterThan(0);
  expect(result.ratio).toBeCloseTo(result.oursMedianMs / result.pywinrmMedianMs);
  console.log(`winrm NTLM: ours ${result.oursMedianMs.toFixed(1)} ms, pywinrm ${result.pywinrmMedianMs.toFixed(1)} ms, ratio ${result.ratio.toFixed(2)}`);
});
