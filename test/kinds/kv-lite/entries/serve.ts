/**
 * The real loopback bridge (src-main/core/serve.ts) with the test-only kind
 * kv-lite described, so the contract's kind lists take it. Built into
 * dist-test/main/ by scripts/build-test-kinds.mjs, beside the test delegate
 * (dist-test/delegate/main.js) and renderer (dist-test/renderer/) that
 * serve.ts finds next to itself.
 */
import '../description.js';
import '../../../../src-main/core/serve.js';
