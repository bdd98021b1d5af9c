/**
 * The real delegate with the test-only kind kv-lite registered: its
 * description first (the protocol's kind lists are built when that module
 * loads), then its provider, then the delegate's own main. Built into
 * dist-test/ by scripts/build-test-kinds.mjs; only tests start it.
 */
import '../description.js';
import '../provider-registration.js';
import '../../../../src-delegate/main.js';
