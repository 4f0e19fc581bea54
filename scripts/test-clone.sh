#!/usr/bin/env bash
# A fresh clone of the committed HEAD in a private folder (mktemp -d is 0700), as a user starts:
# the README's first command, then its CLI, then the tests that run a peer as another user,
# who cannot enter that folder.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone --quiet . "$tmp/clone"
cd "$tmp/clone"
bash scripts/setup.sh >/dev/null
node examples/hello/demo.mjs >/dev/null
pnpm exec ringpipe --help | grep -q '^Usage: ringpipe' || { echo "FAIL pnpm exec ringpipe --help in a fresh clone" >&2; exit 1; }
echo "ok fresh clone: setup, demo, pnpm exec ringpipe --help"
# The test files that start a process as another user.
mapfile -t uid_tests < <(git grep -l -E 'peerAsUser|uid: ' -- 'packages/*/test/*.test.ts')
pnpm exec vitest run "${uid_tests[@]}"
