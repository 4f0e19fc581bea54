#!/usr/bin/env bash
# Every test of the project, from a fresh Debian 12 machine: installs what it needs, then runs
# the C core tests (sanitizers, vectors, fuzzing) and the vitest suite (client, CLI, examples,
# cross-implementation), then the packed packages as npm users get them. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/apt-install.sh build-essential clang-14 llvm-14 libclang-rt-14-dev tmux nats-server
bash scripts/setup.sh

make -C driver/core test fuzz
pnpm typecheck
# No import circles among the packages' sources.
node scripts/check-cycles.mjs
# A test that skips fails this run (RINGPIPE_NO_SKIPS, scripts/vitest-skip-guard.ts) unless it is
# named below with the reason it may skip here, one "part of its file and name: why" per line.
# This machine runs as root with nats-server and unshare: every suite can run, none is allowed to skip.
ALLOWED_SKIPS=''
RINGPIPE_NO_SKIPS=1 RINGPIPE_ALLOW_SKIP="$ALLOWED_SKIPS" pnpm test
# The packed packages installed with npm outside the monorepo: ESM, require(), tsc, npx, Bun, Deno.
bash scripts/test-consumer.sh
# A fresh clone in a private folder: setup, the demo, the CLI, the tests that change uid.
bash scripts/test-clone.sh
# The Windows driver and the Windows side of the client, under Wine (see driver/windows/README.md).
bash driver/windows/test-wine.sh
# The Linux driver: ringpipe.ko in Debian's kernel under qemu, with the client's driver backend
# (see driver/linux/README.md).
bash driver/linux/test-qemu.sh
