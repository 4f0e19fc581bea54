#!/usr/bin/env bash
# service.sh start|stop NAME: `net start` or `net stop` NAME in the current Wine prefix,
# until `sc query` shows it RUNNING or STOPPED (at most 20 tries, a second apart).
#
# Under load, Wine's services.exe refuses a control it cannot deliver yet, and
# `net` then fails although the service reaches the state a moment later: `net
# start` returns while the driver may still be START_PENDING, a stop sent then is
# refused (ERROR_SERVICE_CANNOT_ACCEPT_CTRL), and a control the driver host has not
# read within 10 s times out (ERROR_SERVICE_REQUEST_TIMEOUT). Prints what each try saw.
set -uo pipefail
action=$1 name=$2
case $action in
start) want=RUNNING ;;
stop) want=STOPPED ;;
*) echo "usage: service.sh start|stop NAME" >&2; exit 2 ;;
esac

# Output goes through a file: a Wine process may leave a pipe open behind it.
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
state() {
  wine sc query "$name" >"$tmp" 2>/dev/null </dev/null
  tr -d '\r' <"$tmp" | grep -o 'STATE *: *[0-9]* *[A-Z_]*' | grep -o '[A-Z_]*$'
}

for try in $(seq 1 20); do
  wine net "$action" "$name" >"$tmp" 2>&1 </dev/null
  rc=$?
  out=$(tr -d '\r' <"$tmp")
  # After a control that went through, the state follows within moments.
  for _ in $(seq 1 $((rc == 0 ? 10 : 1))); do
    now=$(state)
    [[ $now == "$want" ]] && break
    sleep 1
  done
  echo "try $try: net $action exit $rc, state ${now:-unknown}: $(echo "$out" | tr '\n' ' ')"
  [[ $now == "$want" ]] && exit 0
done
echo "$name did not reach $want" >&2
exit 1
