#!/usr/bin/env bash
# Builds ringpipe.ko for each kernel of driver/linux/kernels.sh (Debian 12's 6.1, the
# newest of bookworm-backports, the newest of trixie-backports), boots each kernel under
# qemu (TCG) with an initramfs holding busybox, the module, node, the built client and
# CLI, the C test clients and the guest tests (driver/linux/guest), runs them and the
# fuzzer, and fails on any test failure or kernel splat (console and the guest's dmesg).
# Prints one line per kernel, "kernel <version>: PASS (<s>s)" or "... FAIL: <reason>".
# Installs what it needs on a fresh Debian 12 machine.
#   bash driver/linux/test-qemu.sh                   every kernel, the benchmark on the first
#   RP_QEMU_KERNELS="host" ...                        only these (host bookworm-backports trixie-backports)
#   RP_QEMU_BENCH=0 ...                               without the benchmark
#   RP_QEMU_TESTS="cli.test.mjs" ...                  only these guest test files
#   RP_FUZZ_SECS=300 RP_FUZZ_SEED=1234 ...            a longer fuzzer run, a given seed
#   RP_QEMU_KCFLAGS=... ...                           extra compiler flags for the module
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
WORK=$ROOT/driver/linux/build/qemu
TIME_LIMIT=${RP_QEMU_TIMEOUT:-900}
started=$SECONDS

say() { printf '[test-qemu] %s\n' "$*"; }

# --- tools, kernels --------------------------------------------------------------
bash scripts/apt-install.sh linux-headers-amd64 qemu-system-x86 busybox-static cpio make gcc libc6-dev \
  dwarves debootstrap
mkdir -p "$WORK"
read -r -a sources <<<"${RP_QEMU_KERNELS:-host bookworm-backports trixie-backports}"
kernels=()
for src in "${sources[@]}"; do
  if line=$(bash driver/linux/kernels.sh "$src"); then
    kernels+=("$line")
  else
    say "kernel from $src: FAIL: could not fetch it"
    kernels+=("$src - - -")
  fi
done

# --- C test clients, JavaScript packages ---------------------------------------------
make -C driver/linux rptest rpfuzz >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
[[ -d node_modules/.pnpm ]] || bash scripts/setup.sh
pnpm build >"$WORK/pnpm-build.log" 2>&1 || { cat "$WORK/pnpm-build.log"; exit 1; }

# --- initramfs ----------------------------------------------------------------
IMG=$WORK/root
rm -rf "$IMG"
mkdir -p "$IMG"/{bin,sbin,dev,proc,sys,tmp,etc,lib/modules,opt/ringpipe/bin,opt/ringpipe/node_modules/@ringpipe}
cp /bin/busybox "$IMG/bin/busybox"
cp driver/linux/build/rptest driver/linux/build/rpfuzz "$IMG/opt/ringpipe/bin/"
copy_with_libs() {
  local bin=$1 lib
  mkdir -p "$IMG$(dirname "$bin")"
  cp "$bin" "$IMG$bin"
  for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
    mkdir -p "$IMG$(dirname "$lib")"
    cp -L "$lib" "$IMG$lib"
  done
}
copy_with_libs "$(readlink -f "$(command -v node)")"
[[ -e $IMG/usr/bin/node ]] || { mkdir -p "$IMG/usr/bin"; ln -s "$(readlink -f "$(command -v node)")" "$IMG/usr/bin/node"; }
# The packages as an installed copy would lay them out, dependencies resolved (the bridge
# without NATS: the CLI's `ls` reads bridges' status files through it).
NM=$IMG/opt/ringpipe/node_modules
for pkg in client cli bridge; do
  mkdir -p "$NM/@ringpipe/$pkg"
  cp -r "packages/pipe-$pkg/package.json" "packages/pipe-$pkg/dist" "$NM/@ringpipe/$pkg/"
done
cp -r packages/pipe-cli/bin "$NM/@ringpipe/cli/"
for dep in pipe-client/node_modules/koffi pipe-client/node_modules/zod pipe-cli/node_modules/commander; do
  cp -rL "$(readlink -f "packages/$dep")" "$NM/$(basename "$dep")"
done
mkdir -p "$NM/@koromix"
cp -rL "$(dirname "$(readlink -f node_modules/.pnpm/koffi@*/node_modules/@koromix/koffi-linux-x64/package.json)")" "$NM/@koromix/koffi-linux-x64"
cp -r driver/linux/guest "$IMG/opt/ringpipe/guest"
# A checkout made with umask 077 (a private folder) would leave the copies unreadable to
# the guest's other uids, which run node, peer.mjs and the packages.
chmod -R a+rX "$IMG"
printf 'root:x:0:0:root:/tmp:/bin/sh\nalice:x:1000:1000::/tmp:/bin/sh\nbob:x:1001:1001::/tmp:/bin/sh\ncarol:x:1002:1002::/tmp:/bin/sh\n' >"$IMG/etc/passwd"
printf 'root:x:0:\nalice:x:1000:\nbob:x:1001:\ncarol:x:1002:\n' >"$IMG/etc/group"
TESTS=${RP_QEMU_TESTS:-}
FUZZ_SECS=${RP_FUZZ_SECS:-20}
FUZZ_SEED=${RP_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
# The init of one kernel's guest; $1: run the benchmark (1) or not.
write_init() {
cat >"$IMG/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/shm
mount -t tmpfs shm /dev/shm
mount -t tmpfs tmp /tmp
chmod 1777 /tmp /dev/shm
echo 10 >/proc/sys/kernel/hung_task_timeout_secs
export RP_FUZZ_SECS=$FUZZ_SECS RP_FUZZ_SEED=$FUZZ_SEED
export PATH=/usr/bin:/bin HOME=/tmp RINGPIPE_ROOT=/opt/ringpipe NO_COLOR=1 FORCE_COLOR=0
cd /opt/ringpipe
echo "guest: \$(uname -r), \$(nproc) cpus"
result=FAIL
if insmod /lib/modules/ringpipe.ko; then
  tests="$TESTS"
  [ -n "\$tests" ] || tests=\$(cd guest && ls *.test.mjs | grep -v '^zz-')
  set -- \$(for t in \$tests; do echo guest/\$t; done)
  if node --test --test-concurrency=1 --test-timeout=${RP_QEMU_TEST_TIMEOUT:-300000} ${RP_QEMU_TEST_PATTERN:+--test-name-pattern=\"$RP_QEMU_TEST_PATTERN\"} --test-reporter=spec "\$@" && node --test --test-reporter=spec guest/zz-rmmod.test.mjs; then
    result=PASS
  fi
else
  echo "guest: insmod failed"
fi
[ -n "${RP_QEMU_INJECT_WARN:-}" ] && echo "<4>WARNING: CPU: 0 PID: 1 at injected by RP_QEMU_INJECT_WARN" >/dev/kmsg
echo "RINGPIPE-QEMU-RESULT: \$result"
if [ "$1" = 1 ] && [ \$result = PASS ]; then
  lsmod | grep -q ringpipe || insmod /lib/modules/ringpipe.ko
  node guest/bench.mjs
fi
# The console shows only levels below 4 (quiet): WARN() and friends are in the log.
echo "RINGPIPE-DMESG-BEGIN"
dmesg
echo "RINGPIPE-DMESG-END"
echo "RINGPIPE-QEMU-DONE"
poweroff -f
INIT
chmod +x "$IMG/init"
}

# --- one kernel ------------------------------------------------------------------
# Builds the module for it (W=1, no warnings), packs the initramfs, boots it; returns
# non-zero with the reason in $reason.
SPLAT='BUG:|Oops|WARNING:|Call Trace|UBSAN|KASAN|Kernel panic|general protection'
reason=
run_kernel() {
  local kver=$1 kdir=$2 vmlinuz=$3 chroot=$4 bench=$5 obj ko log blog
  reason=
  [[ $kdir != - ]] || { reason="could not fetch it"; return 1; }
  obj=$WORK/obj-$kver
  blog=$WORK/build-$kver.log
  if [[ $chroot == - ]]; then
    make -C driver/linux KDIR="$kdir" OBJ="$obj" KCFLAGS="${RP_QEMU_KCFLAGS:-}" module >"$blog" 2>&1 ||
      { cat "$blog"; reason="module build failed"; return 1; }
    ko=$obj/ringpipe.ko
  else
    # Another suite's compiler: build in its chroot, from a copy of the sources.
    rm -rf "$chroot/build/src"
    mkdir -p "$chroot/build/src/driver/linux"
    cp -r driver/core driver/include "$chroot/build/src/driver/"
    rm -rf "$chroot/build/src/driver/core/build"
    cp driver/linux/Makefile driver/linux/Kbuild driver/linux/rp_*.[ch] "$chroot/build/src/driver/linux/"
    # objtool reads /proc: a private mount namespace keeps the mount off the host.
    unshare -m --propagation private sh -c "mount -t proc proc '$chroot/proc' &&
      chroot '$chroot' make -C /build/src/driver/linux KDIR='$kdir' KCFLAGS='${RP_QEMU_KCFLAGS:-}' module" \
      >"$blog" 2>&1 || { cat "$blog"; reason="module build failed"; return 1; }
    ko=$chroot/build/src/driver/linux/build/obj/ringpipe.ko
  fi
  if grep -E 'warning:|error:' "$blog"; then
    reason="the module build printed warnings (W=1 must stay clean)"
    return 1
  fi
  say "$kver: module built with no warnings at W=1"
  cp "$ko" "$IMG/lib/modules/ringpipe.ko"
  write_init "$bench"
  (cd "$IMG" && find . | cpio -o -H newc --quiet >"$WORK/initramfs.cpio")
  say "$kver: initramfs $(du -h "$WORK/initramfs.cpio" | cut -f1); booting (limit ${TIME_LIMIT}s)"

  log=$WORK/console-$kver.log
  local boot qemu_status attempt
  # qemu itself dying of a signal before the guest printed anything (seen once: SIGSEGV during
  # the BIOS under load) is the emulator's failure, not a result: boot once more, and say so.
  for attempt in 1 2; do
    boot=$SECONDS
    set +e
    timeout "$TIME_LIMIT" qemu-system-x86_64 -accel tcg -m 2G -smp 2 -nographic -no-reboot \
      -kernel "$vmlinuz" -initrd "$WORK/initramfs.cpio" \
      -append "console=ttyS0 quiet panic=-1 oops=panic hung_task_panic=1 softlockup_panic=1" \
      </dev/null >"$log" 2>&1
    qemu_status=$?
    set -e
    if ((qemu_status > 128 && qemu_status != 124)) && ! grep -q 'guest:' "$log"; then
      say "$kver: qemu died of signal $((qemu_status - 128)) after $((SECONDS - boot))s before the guest started (attempt $attempt)"
      continue
    fi
    break
  done
  tr -d '\r' <"$log" | sed -e 's/^.*guest:/guest:/' | sed -n '/^guest:/,/RINGPIPE-DMESG-BEGIN/p' | grep -v '^\s*$'
  say "$kver: qemu exited $qemu_status after $((SECONDS - boot))s"
  if grep -qE "$SPLAT" "$log"; then
    say "$kver: kernel splat in $log (console or dmesg):"
    grep -nE -A20 "$SPLAT" "$log" | head -60
    reason="kernel splat"
  elif [[ $qemu_status -eq 124 ]]; then
    reason="time limit of ${TIME_LIMIT}s reached"
  elif ! grep -q 'RINGPIPE-QEMU-RESULT: PASS' "$log"; then
    reason="the guest tests did not pass (see $log)"
  elif ! grep -q 'RINGPIPE-DMESG-END' "$log"; then
    reason="the guest did not print its kernel log"
  fi
  [[ -z $reason ]]
}

# --- every kernel -------------------------------------------------------------------
summary=()
fail=0
bench=${RP_QEMU_BENCH:-1}
for k in "${kernels[@]}"; do
  read -r kver kdir vmlinuz chroot <<<"$k"
  t=$SECONDS
  if run_kernel "$kver" "$kdir" "$vmlinuz" "$chroot" "$bench"; then
    summary+=("kernel $kver: PASS ($((SECONDS - t))s)")
  else
    summary+=("kernel $kver: FAIL: $reason ($((SECONDS - t))s)")
    fail=1
  fi
  bench=0 # the emulated benchmark on the first kernel only
done
say "fuzzer seed $FUZZ_SEED, ${FUZZ_SECS}s per kernel (RP_FUZZ_SEED=$FUZZ_SEED repeats it)"
for line in "${summary[@]}"; do echo "$line"; done
say "total $((SECONDS - started))s"
exit $fail
