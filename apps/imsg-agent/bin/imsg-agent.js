#!/usr/bin/env node
// Thin launcher so the bin link exists before the first build; the app itself is compiled TypeScript.
import '../dist/main.js';
