#!/usr/bin/env bash
# The packages as an npm user gets them: packs @ringpipe/client, @ringpipe/bridge and @ringpipe/cli, installs the
# tarballs with npm into a fresh project outside the monorepo, and checks there: ESM and require(),
# a strict tsc check with the current TypeScript, npx @ringpipe/cli, and Bun and Deno peers against
# Node peers. Run after scripts/setup.sh (it builds the packages).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

# Pinned tools, each run on Node 20: TypeScript's current major, and the other runtimes tested.
TYPESCRIPT=7.0.2
BUN=1.4.5
DENO=2.9.6

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
app=$tmp/app tools=$tmp/tools
mkdir -p "$tmp/packs" "$app" "$tools"

echo "== pack"
pnpm build >/dev/null
for pkg in pipe-client pipe-bridge pipe-cli; do
  (cd "packages/$pkg" && pnpm pack --pack-destination "$tmp/packs" >/dev/null)
done
client=$(ls "$tmp"/packs/ringpipe-client-*.tgz) bridge=$(ls "$tmp"/packs/ringpipe-bridge-*.tgz) cli=$(ls "$tmp"/packs/ringpipe-cli-*.tgz)
for tarball in "$client" "$bridge" "$cli"; do
  files=$(tar -tzf "$tarball")
  for needed in package/README.md package/LICENSE package/package.json; do
    grep -qx "$needed" <<<"$files" || { echo "FAIL $(basename "$tarball") has no ${needed#package/}" >&2; exit 1; }
  done
  if grep -q '\.map$' <<<"$files"; then echo "FAIL $(basename "$tarball") ships source maps" >&2; exit 1; fi
done
node -e '
  const [client, cli] = process.argv.slice(1).map((file) => JSON.parse(require("node:child_process").execFileSync("tar", ["-xzOf", file, "package/package.json"])));
  const wanted = cli.dependencies["@ringpipe/client"];
  if (wanted !== client.version) throw new Error(`the packed cli depends on @ringpipe/client ${wanted}, the packed client is ${client.version}`);
  console.log(`ok packed @ringpipe/cli depends on @ringpipe/client ${wanted}`);
' "$client" "$cli"

echo "== install with npm"
(cd "$app" && npm init --yes >/dev/null && npm install --no-audit --no-fund "$client" "$bridge" "$cli" >/dev/null)
(cd "$tools" && npm init --yes >/dev/null &&
  npm install --no-audit --no-fund "typescript@$TYPESCRIPT" "bun@$BUN" "deno@$DENO" >/dev/null)
cp scripts/consumer/* "$app/"
cd "$app"
pair() { node pair.mjs "$@"; }

echo "== Node $(node --version)"
pair "Node ESM reader, Node ESM writer" node peer.mjs recv NAME -- node peer.mjs send NAME
pair "Node ESM reader, CommonJS require() writer" node peer.mjs recv NAME -- node send.cjs NAME

echo "== TypeScript $("$tools/node_modules/.bin/tsc" --version)"
"$tools/node_modules/.bin/tsc" --strict --module nodenext --moduleResolution nodenext --noEmit check.mts check.cts
echo "ok tsc --strict --module nodenext: ESM and CommonJS"

echo "== npx @ringpipe/cli"
npx @ringpipe/cli --help | grep -q '^Usage: ringpipe' || { echo "FAIL npx @ringpipe/cli --help" >&2; exit 1; }
echo "ok npx @ringpipe/cli --help"
pair "npx @ringpipe/cli read, Node writer" npx @ringpipe/cli read NAME -- node peer.mjs send NAME
pair "Node reader, npx @ringpipe/cli write" node peer.mjs recv NAME -- npx @ringpipe/cli write NAME

bun=$tools/node_modules/.bin/bun deno=$tools/node_modules/.bin/deno
echo "== Bun $("$bun" --version)"
pair "Bun reader, Node writer" "$bun" peer.mjs recv NAME -- node peer.mjs send NAME
pair "Node reader, Bun writer" node peer.mjs recv NAME -- "$bun" peer.mjs send NAME

echo "== Deno $("$deno" --version | head -1 | cut -d' ' -f2)"
pair "Deno reader, Node writer" "$deno" run -A peer.mjs recv NAME -- node peer.mjs send NAME
pair "Node reader, Deno writer" node peer.mjs recv NAME -- "$deno" run -A peer.mjs send NAME

echo "consumer test: every check passed"
