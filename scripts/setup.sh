#!/usr/bin/env bash
# Installs the JavaScript toolchain and builds the packages. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version)" != 10.* ]]; then
  sudo=""
  [[ $(id -u) -eq 0 || -w "$(npm prefix --global)" ]] || sudo="sudo"
  $sudo npm install --global --no-fund --no-audit pnpm@10.34.8
fi
pnpm install --frozen-lockfile --prefer-offline
pnpm build
