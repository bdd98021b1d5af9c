/**
 * The real renderer with the test-only kind kv-lite described, so the
 * add-manager form offers it. scripts/build-test-kinds.mjs builds the
 * product's index.html with this module in place of src-renderer/main.tsx.
 */
import '../description.js';
import '../../../../src-renderer/main.js';
