#!/usr/bin/env node
// The shoal CLI. Built by `npm run build -w @shoal/cli` (tsc -> dist/).
import '../dist/main.js';
