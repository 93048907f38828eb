#!/usr/bin/env node
// Thin launcher so the bin link exists before the first build; the app itself is compiled
// TypeScript (src/launch.cts). CommonJS (bin/package.json), like launch.cts: OpenClaw spawns this
// for every probe and send, and node's ESM loader would cost each of them several milliseconds.
require('../dist/launch.cjs').launch(process.argv);
