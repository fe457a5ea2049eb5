#!/usr/bin/env node
// The CLI runs from TypeScript source (workspace packages are consumed from source): tsx compiles on the fly.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
