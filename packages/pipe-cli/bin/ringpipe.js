#!/usr/bin/env node
// The command's entry: a committed file, so installs link it before the build made dist/.
import { run } from '../dist/cli.js';

process.exitCode = await run(process.argv);
