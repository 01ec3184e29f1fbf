#!/usr/bin/env node
// shoald: the shoal daemon. Runs the built daemon (npm run build first).
import '../dist/daemon/main.js';
