#!/usr/bin/env node
// The `opsbase` command. Opsbase runs its TypeScript sources through tsx; no build step.
import v8 from 'node:v8';
import { register } from 'tsx/esm/api';

// Memory (issue 7, bench/README.md). Both flags are set here, not on a node command line, so every way of
// starting the server gets them (`npm start`, the installed `opsbase` command, `node bin/opsbase.js`).
//
// V8 lets the old generation grow to a multiple of what survived the last full GC (up to 4x when the
// process is busy) before collecting again. Under load a request's short-lived objects are promoted at a
// steady rate, so the old space climbed from about 45 to 120 MB of garbage before its first full GC and
// the server's RSS peaked near 300 MB. Growing by at most half keeps it near 65 MB: a full GC every few
// seconds under load, about 10 ms each, while the young generation (where the per-request garbage dies,
// and whose size decides the scavenge cost per request) is left at its default. V8 reads this flag at
// each GC, so setting it after start takes effect.
v8.setFlagsFromString('--heap-growing-percent=50');

// tsx's loader runs in a thread of its own (Node 20's module.register), a second V8 heap that only
// transpiles and resolves modules. Its young generation would grow to 16 MB per semi-space while the
// server's 1,300 modules load and then stay committed; 1 MB is plenty for it (16 MB less RSS). The
// thread's heap is configured when register() starts it, so the flag is set only around that call and
// then reset to V8's default (0) for any later thread, such as the embedded database's worker.
v8.setFlagsFromString('--max-semi-space-size=1');
register();
v8.setFlagsFromString('--max-semi-space-size=0');

await import('../src/cli/main.ts');
