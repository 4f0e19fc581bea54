#!/usr/bin/env bash
# Builds ringpipe.ko against Debian's kernel headers, boots Debian's kernel under
# qemu (TCG) with an initramfs holding busybox, the module, node, the built client
# and CLI and the guest tests (driver/linux/guest), runs them, and fails on any test
# failure or kernel splat. Installs what it needs on a fresh Debian 12 machine.
#   bash driver/linux/test-qemu.sh            everything, then the emulated benchmark
#   RP_QEMU_BENCH=0 bash driver/linux/test-qemu.sh   without the benchmark
#   RP_QEMU_TESTS="cli.test.mjs" ...                  only these guest test files
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
WORK=$ROOT/driver/linux/build/qemu
LOG=$WORK/console.log
TIME_LIMIT=${RP_QEMU_TIMEOUT:-900}
started=$SECONDS

say() { printf '[test-qemu] %s\n' "$*"; }

# --- tools -------------------------------------------------------------------
bash scripts/apt-install.sh linux-headers-amd64 qemu-system-x86 busybox-static cpio make gcc libc6-dev
KVER=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 | grep -o 'linux-headers-[^ ,]*' | head -1)
KVER=${KVER#linux-headers-}
[[ -n $KVER && -d /lib/modules/$KVER/build ]] || { say "no kernel headers found for '$KVER'"; exit 1; }
say "kernel $KVER"
mkdir -p "$WORK"

# Only the kernel image of the package: installing it would build an initrd for nothing.
VMLINUZ=$WORK/vmlinuz-$KVER
if [[ ! -s $VMLINUZ ]]; then
  dl=$(mktemp -d)
  chmod 755 "$dl"
  (cd "$dl" && apt-get download -o DPkg::Lock::Timeout=600 "linux-image-$KVER" >/dev/null)
  dpkg-deb --fsys-tarfile "$dl"/linux-image-"$KVER"_*.deb | tar -x -C "$dl" "./boot/vmlinuz-$KVER"
  mv "$dl/boot/vmlinuz-$KVER" "$VMLINUZ"
  rm -rf "$dl"
fi

# --- module, C test client, JavaScript packages -------------------------------
make -C driver/linux KVER="$KVER" module rptest >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
if grep -E 'warning:|error:' "$WORK/build.log"; then
  say "the module build printed warnings (W=1 must stay clean)"
  exit 1
fi
say "module built with no warnings at W=1"
[[ -d node_modules/.pnpm ]] || bash scripts/setup.sh
pnpm build >"$WORK/pnpm-build.log" 2>&1 || { cat "$WORK/pnpm-build.log"; exit 1; }

# --- initramfs ----------------------------------------------------------------
IMG=$WORK/root
rm -rf "$IMG"
mkdir -p "$IMG"/{bin,sbin,dev,proc,sys,tmp,etc,lib/modules,opt/ringpipe/bin,opt/ringpipe/node_modules/@ringpipe}
cp /bin/busybox "$IMG/bin/busybox"
cp driver/linux/ringpipe.ko "$IMG/lib/modules/"
cp driver/linux/build/rptest "$IMG/opt/ringpipe/bin/"
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
# The packages as an installed copy would lay them out, dependencies resolved.
NM=$IMG/opt/ringpipe/node_modules
for pkg in client cli; do
  mkdir -p "$NM/@ringpipe/$pkg"
  cp -r "packages/pipe-$pkg/package.json" "packages/pipe-$pkg/dist" "$NM/@ringpipe/$pkg/"
done
for dep in pipe-client/node_modules/koffi pipe-client/node_modules/zod pipe-cli/node_modules/commander; do
  cp -rL "$(readlink -f "packages/$dep")" "$NM/$(basename "$dep")"
done
mkdir -p "$NM/@koromix"
cp -rL "$(dirname "$(readlink -f node_modules/.pnpm/koffi@*/node_modules/@koromix/koffi-linux-x64/package.json)")" "$NM/@koromix/koffi-linux-x64"
cp -r driver/linux/guest "$IMG/opt/ringpipe/guest"
printf 'root:x:0:0:root:/tmp:/bin/sh\nalice:x:1000:1000::/tmp:/bin/sh\nbob:x:1001:1001::/tmp:/bin/sh\n' >"$IMG/etc/passwd"
printf 'root:x:0:\nalice:x:1000:\nbob:x:1001:\n' >"$IMG/etc/group"
TESTS=${RP_QEMU_TESTS:-}
BENCH=${RP_QEMU_BENCH:-1}
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
echo "RINGPIPE-QEMU-RESULT: \$result"
if [ "$BENCH" = 1 ] && [ \$result = PASS ]; then
  lsmod | grep -q ringpipe || insmod /lib/modules/ringpipe.ko
  node guest/bench.mjs
fi
echo "RINGPIPE-QEMU-DONE"
poweroff -f
INIT
chmod +x "$IMG/init"
(cd "$IMG" && find . | cpio -o -H newc --quiet >"$WORK/initramfs.cpio")
say "initramfs $(du -h "$WORK/initramfs.cpio" | cut -f1); booting (limit ${TIME_LIMIT}s)"

# --- boot -------------------------------------------------------------------------
boot=$SECONDS
set +e
timeout "$TIME_LIMIT" qemu-system-x86_64 -accel tcg -m 2G -smp 2 -nographic -no-reboot \
  -kernel "$VMLINUZ" -initrd "$WORK/initramfs.cpio" \
  -append "console=ttyS0 quiet panic=-1 oops=panic hung_task_panic=1 softlockup_panic=1" \
  </dev/null >"$LOG" 2>&1
qemu_status=$?
set -e
tr -d '\r' <"$LOG" | sed -e 's/^.*guest:/guest:/' | sed -n '/^guest:/,$p' | grep -v '^\s*$'
say "qemu exited $qemu_status after $((SECONDS - boot))s (total $((SECONDS - started))s)"

fail=0
if grep -qE 'BUG:|Oops|WARNING:|Call Trace|Kernel panic' "$LOG"; then
  say "FAIL: kernel splat in $LOG:"
  grep -nE -A20 'BUG:|Oops|WARNING:|Call Trace|Kernel panic' "$LOG" | head -60
  fail=1
fi
if ! grep -q 'RINGPIPE-QEMU-RESULT: PASS' "$LOG"; then
  say "FAIL: the guest tests did not pass (see $LOG)"
  fail=1
fi
[[ $qemu_status -eq 124 ]] && { say "FAIL: time limit of ${TIME_LIMIT}s reached"; fail=1; }
if [[ $fail -eq 0 ]]; then
  say "PASS: guest tests passed, no kernel splat"
fi
exit $fail
