#!/usr/bin/env node
// The package's `bin`: runs the built CLI (npm run build writes dist/).
import('../dist/main/cli.js');
