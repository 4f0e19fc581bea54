#!/usr/bin/env node
// The command's entry: a committed file, so installs link it before the build made dist/.
import '../dist/cli.js';
