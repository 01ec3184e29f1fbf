#!/usr/bin/env node
// The shoal CLI. Built by `npm run build -w @shoal/common` (tsc -> dist/).
import '../dist/cli/main.js';
