#!/usr/bin/env bash
# The packages as an npm user gets them: packs @ringpipe/client, @ringpipe/bridge and @ringpipe/cli, installs the
# tarballs with `npm install --engine-strict` into fresh projects outside the monorepo, and checks there: the
# installed size of the client alone and of the CLI alone, ESM and require(), a strict tsc check with the current
# TypeScript, the CLI (npx, with and without the bridge), and Bun and Deno peers against Node peers.
# Every check judges by exit codes and output: npm may print what it likes on stderr.
# Run after scripts/setup.sh (it builds the packages).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

# Pinned tools, each run on Node 20: TypeScript's current major, and the other runtimes tested.
TYPESCRIPT=7.0.2
BUN=1.4.5
DENO=2.9.6
TYPES_NODE=20.19

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
app=$tmp/app tools=$tmp/tools
mkdir -p "$tmp/packs" "$app" "$tools"

fail() {
  echo "FAIL $1" >&2
  [[ -z ${2:-} ]] || cat "$2" >&2
  exit 1
}

echo "== pack"
pnpm build >/dev/null
for pkg in pipe-client pipe-bridge pipe-cli; do
  (cd "packages/$pkg" && pnpm pack --pack-destination "$tmp/packs" >/dev/null)
done
client=$(ls "$tmp"/packs/ringpipe-client-*.tgz) bridge=$(ls "$tmp"/packs/ringpipe-bridge-*.tgz) cli=$(ls "$tmp"/packs/ringpipe-cli-*.tgz)
for tarball in "$client" "$bridge" "$cli"; do
  files=$(tar -tzf "$tarball")
  for needed in package/README.md package/LICENSE package/package.json; do
    grep -qx "$needed" <<<"$files" || fail "$(basename "$tarball") has no ${needed#package/}"
  done
  if grep -q '\.map$' <<<"$files"; then fail "$(basename "$tarball") ships source maps"; fi
done
node -e '
  const read = (file) => JSON.parse(require("node:child_process").execFileSync("tar", ["-xzOf", file, "package/package.json"]));
  const [client, bridge, cli] = process.argv.slice(1).map(read);
  const check = (ok, what) => { if (!ok) { console.error(`FAIL ${what}`); process.exit(1); } console.log(`ok ${what}`); };
  check(cli.dependencies["@ringpipe/client"] === client.version, `packed @ringpipe/cli depends on @ringpipe/client ${client.version}`);
  check(!("@ringpipe/bridge" in cli.dependencies) && cli.peerDependenciesMeta?.["@ringpipe/bridge"]?.optional === true,
    "@ringpipe/bridge is an optional peer dependency of @ringpipe/cli, not a dependency");
  check(!("@types/node" in (client.dependencies ?? {})), "@types/node is no dependency of @ringpipe/client");
  check([client, bridge, cli].every((p) => !("zod" in (p.dependencies ?? {}))), "zod is bundled, no dependency");
  check([client, bridge, cli].every((p) => p.engines?.node === ">=20.19"), "every package declares node >=20.19");
' "$client" "$bridge" "$cli"

echo "== npm install --engine-strict, Node $(node --version)"
# A fresh project with the given tarballs installed; npm's output goes to a log shown only when it fails.
# Its .npmrc has a key npm does not know, so npm warns on stderr at every call here: no check may mind.
install() {
  local dir=$1
  shift
  mkdir -p "$dir"
  echo 'ringpipe-consumer-test=unknown' >"$dir/.npmrc"
  (cd "$dir" && npm init --yes >"$dir.log" 2>&1 && npm install --engine-strict --no-audit --no-fund "$@" >>"$dir.log" 2>&1) ||
    fail "npm install --engine-strict $* (in $(basename "$dir"))" "$dir.log"
}
kb() { du -sk "$1/node_modules" | cut -f1; }
# @ringpipe/client is not on the registry here: its tarball stands in for the dependency of the CLI.
install "$tmp/client-alone" "$client"
install "$tmp/cli-alone" "$client" "$cli"
install "$app" "$client" "$bridge" "$cli"
echo "ok each project installs with --engine-strict"
[[ ! -e $tmp/client-alone/node_modules/@types/node ]] || fail "installing @ringpipe/client put @types/node into the project"
for absent in @ringpipe/bridge @nats-io zod; do
  [[ ! -e $tmp/cli-alone/node_modules/$absent ]] || fail "installing @ringpipe/cli put $absent into the project"
done
echo "ok @ringpipe/cli alone installs neither the bridge, NATS nor zod"
echo "installed size (du of node_modules): @ringpipe/client alone $(kb "$tmp/client-alone") KB," \
  "@ringpipe/cli alone $(kb "$tmp/cli-alone") KB, with @ringpipe/bridge $(kb "$app") KB"

(cd "$tools" && npm init --yes >/dev/null &&
  npm install --no-audit --no-fund "typescript@$TYPESCRIPT" "bun@$BUN" "deno@$DENO" >"$tools.log" 2>&1) || fail "npm install of the tools" "$tools.log"
# A TypeScript user compiles against Node's types, which they install themselves.
(cd "$app" && npm install --engine-strict --no-audit --no-fund --save-dev "@types/node@~$TYPES_NODE" >"$app-types.log" 2>&1) ||
  fail "npm install @types/node" "$app-types.log"
cp scripts/consumer/* "$app/"
cd "$app"
pair() { node pair.mjs "$@"; }

echo "== Node $(node --version)"
pair "Node ESM reader, Node ESM writer" node peer.mjs recv NAME -- node peer.mjs send NAME
pair "Node ESM reader, CommonJS require() writer" node peer.mjs recv NAME -- node send.cjs NAME

echo "== TypeScript $("$tools/node_modules/.bin/tsc" --version)"
"$tools/node_modules/.bin/tsc" --strict --module nodenext --moduleResolution nodenext --noEmit check.mts check.cts
echo "ok tsc --strict --module nodenext: ESM and CommonJS, with @types/node@$TYPES_NODE"

echo "== @ringpipe/cli"
npx @ringpipe/cli --help >"$tmp/help" 2>"$tmp/help.err" || fail "npx @ringpipe/cli --help exited with $?" "$tmp/help.err"
grep -q '^Usage: ringpipe' "$tmp/help" || fail "npx @ringpipe/cli --help printed no usage" "$tmp/help"
grep -q 'Unknown project config' "$tmp/help.err" || fail "npm did not warn about the project's unknown config (the check of this script's tolerance)" "$tmp/help.err"
echo "ok npx @ringpipe/cli --help (npm's warning on stderr did not matter)"
# What npx runs, without npm's own messages between the test and the command.
ringpipe=$app/node_modules/.bin/ringpipe
pair "ringpipe read, Node writer" "$ringpipe" read NAME -- node peer.mjs send NAME
pair "Node reader, ringpipe write" node peer.mjs recv NAME -- "$ringpipe" write NAME
# With the bridge installed, `ringpipe bridge` runs until SIGTERM, which stops it cleanly (exit 0).
code=0
timeout --preserve-status -s TERM 3 "$ringpipe" bridge CONSUMER --to nats://127.0.0.1:1 2>"$tmp/bridge.err" || code=$?
[[ $code -eq 0 ]] && grep -q 'connecting to' "$tmp/bridge.err" || fail "ringpipe bridge with @ringpipe/bridge installed: exit $code" "$tmp/bridge.err"
echo "ok ringpipe bridge with @ringpipe/bridge installed: runs, SIGTERM stops it (exit 0)"
# Without it, the other commands work and `bridge` says how to install it.
alone=$tmp/cli-alone/node_modules/.bin/ringpipe
"$alone" ls >"$tmp/ls" 2>"$tmp/ls.err" || fail "ringpipe ls without @ringpipe/bridge" "$tmp/ls.err"
grep -q '^NAME' "$tmp/ls" || fail "ringpipe ls without @ringpipe/bridge printed no table" "$tmp/ls"
code=0
"$alone" bridge CONSUMER --to nats://127.0.0.1:1 >/dev/null 2>"$tmp/bridge.err" || code=$?
[[ $code -eq 1 ]] && grep -q 'npm install @ringpipe/bridge' "$tmp/bridge.err" || fail "ringpipe bridge without @ringpipe/bridge: exit $code" "$tmp/bridge.err"
echo "ok @ringpipe/cli alone: ls works; bridge exits 1 saying: npm install @ringpipe/bridge"

bun=$tools/node_modules/.bin/bun deno=$tools/node_modules/.bin/deno
echo "== Bun $("$bun" --version)"
pair "Bun reader, Node writer" "$bun" peer.mjs recv NAME -- node peer.mjs send NAME
pair "Node reader, Bun writer" node peer.mjs recv NAME -- "$bun" peer.mjs send NAME

echo "== Deno $("$deno" --version | head -1 | cut -d' ' -f2)"
# Deno opens files under /dev (the rings are in /dev/shm) only with --allow-all.
pair "Deno reader, Node writer" "$deno" run --allow-all peer.mjs recv NAME -- node peer.mjs send NAME
pair "Node reader, Deno writer" node peer.mjs recv NAME -- "$deno" run --allow-all peer.mjs send NAME
code=0
"$deno" run --no-prompt --allow-read --allow-write --allow-ffi --allow-env peer.mjs recv NARROW </dev/null >/dev/null 2>"$tmp/deno.err" || code=$?
[[ $code -ne 0 ]] && grep -q 'RingPipeError' "$tmp/deno.err" && grep -q 'allow-all' "$tmp/deno.err" ||
  fail "Deno without --allow-all: exit $code, and not the RingPipeError naming --allow-all" "$tmp/deno.err"
echo "ok Deno without --allow-all: a RingPipeError that names --allow-all"

echo "consumer test: every check passed"
