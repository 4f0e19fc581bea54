#!/bin/sh
# Two-process tests of rp_shm (shared-memory backend): usage: shm_test.sh RP_SHM
set -u
RP=$1
NAME=rptest-$$
FILE=/dev/shm/ringpipe.$(echo "$NAME" | tr a-z A-Z)
OUT=${TMPDIR:-/tmp}/rp_shm_test.$$
mkdir -p "$OUT"
failures=0

fail() {
	echo "shm_test: FAIL: $*" >&2
	failures=$((failures + 1))
}

# Waits until the pipe has a live reader, so that a sender cannot finish
# and unlink the file before the reader is attached.
wait_reader() {
	i=0
	while [ $i -lt 100 ]; do
		if "$RP" stat "$NAME" 2>/dev/null | grep -qx 'readers 1'; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	fail "no reader attached to $NAME"
}

expect_gone() {
	[ ! -e "$FILE" ] || fail "$1: $FILE left behind"
	rm -f "$FILE"
}

# recv first, then send; both sides and the expected sums must agree.
run_pair() {
	label=$1 count=$2 size=$3 cap=$4
	"$RP" recv "$NAME" --size "$size" --capacity "$cap" --timeout 60 >"$OUT/recv" 2>"$OUT/recv.err" &
	rpid=$!
	wait_reader
	"$RP" send "$NAME" "$count" "$size" --timeout 60 >"$OUT/send" 2>"$OUT/send.err" ||
		fail "$label: send exited $? ($(cat "$OUT/send.err"))"
	wait $rpid || fail "$label: recv exited $? ($(cat "$OUT/recv.err"))"
	want=$("$RP" expect "$count" "$size" | sed 's/^expect //')
	[ "$(sed 's/^sent //' "$OUT/send")" = "$want" ] || fail "$label: send printed $(cat "$OUT/send")"
	[ "$(sed 's/^received //' "$OUT/recv")" = "$want" ] || fail "$label: recv printed $(cat "$OUT/recv")"
	expect_gone "$label"
	echo "shm_test: $label: $(cat "$OUT/recv")"
}

run_pair "200000 x 64 B" 200000 64 65536
run_pair "2000 x 60000 B" 2000 60000 65536

# Byte mode, sender first: it fills the ring and waits for the reader.
"$RP" send "$NAME" 50000 100 --mode byte --capacity 4096 --timeout 60 >"$OUT/send" 2>"$OUT/send.err" &
spid=$!
sleep 0.2
"$RP" recv "$NAME" --size 100 --timeout 60 >"$OUT/recv" 2>"$OUT/recv.err" ||
	fail "byte mode: recv exited $? ($(cat "$OUT/recv.err"))"
wait $spid || fail "byte mode: send exited $?"
want=$("$RP" expect 50000 100 | sed 's/^expect //')
[ "$(sed 's/^received //' "$OUT/recv")" = "$want" ] || fail "byte mode: recv printed $(cat "$OUT/recv")"
expect_gone "byte mode"
echo "shm_test: byte mode 50000 x 100 B: $(cat "$OUT/recv")"

# SIGKILL the sender mid-stream. Its parent is a `sleep` that never reaps
# it, so the receiver must see the zombie as dead to reach EOF.
"$RP" recv "$NAME" --timeout 60 >"$OUT/recv" 2>"$OUT/recv.err" &
rpid=$!
wait_reader
(
	"$RP" send "$NAME" 100000000 64 >/dev/null 2>&1 &
	echo $! >"$OUT/spid"
	exec sleep 20
) &
keeper=$!
sleep 0.5
kill -9 "$(cat "$OUT/spid")"
wait $rpid || fail "kill: recv exited $? ($(cat "$OUT/recv.err"))"
got=$(cat "$OUT/recv")
n=$(echo "$got" | cut -d' ' -f2)
if [ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -lt 100000000 ]; then
	want=$("$RP" expect "$n" 64 | sed 's/^expect //')
	[ "$(echo "$got" | sed 's/^received //')" = "$want" ] || fail "kill: recv printed $got, want $want"
else
	fail "kill: recv printed '$got'"
fi
kill -0 $keeper 2>/dev/null || fail "kill: EOF only came once the zombie was reaped"
kill $keeper
wait $keeper 2>/dev/null
expect_gone "kill"
echo "shm_test: sender killed: $got"

# A corrupted message must make recv fail.
"$RP" recv "$NAME" --timeout 20 >"$OUT/recv" 2>"$OUT/recv.err" &
rpid=$!
wait_reader
"$RP" send "$NAME" 10 64 --flip 3 --timeout 20 >/dev/null 2>&1
wait $rpid
rc=$?
[ $rc -eq 1 ] || fail "flip: recv exited $rc, want 1"
grep -q "message 3 (64 bytes) differs at byte 63" "$OUT/recv.err" || fail "flip: $(cat "$OUT/recv.err")"
rm -f "$FILE"
echo "shm_test: corrupted message detected: $(cat "$OUT/recv.err")"

# Lifetime (docs/ring-format.md): files the opener must refuse or replace.
# hold FILE BYTE SECONDS [HEADER]: another process keeps an OFD lock on
# FILE's byte BYTE (writing HEADER, hex, at its start first).
hold() {
	python3 - "$@" <<'PY' &
import fcntl, os, struct, sys, time
path, byte, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
fd = os.open(path, os.O_RDWR)
if len(sys.argv) > 4:
    os.pwrite(fd, bytes.fromhex(sys.argv[4]), 0)
fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack("hhqqi", fcntl.F_WRLCK, 0, byte, 1, 0))
open(path + ".held", "w").close()
time.sleep(secs)
PY
	i=0
	while [ ! -e "$1.held" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	rm -f "$1.held"
}

# expect_refused LABEL WORDS: recv must exit 1 saying WORDS, and leave the file.
expect_refused() {
	before=$(ls -ld "$FILE" 2>&1)
	"$RP" recv "$NAME" --timeout 5 >"$OUT/recv" 2>"$OUT/recv.err"
	rc=$?
	[ $rc -eq 1 ] || fail "$1: recv exited $rc, want 1"
	grep -q "$2" "$OUT/recv.err" || fail "$1: recv said $(cat "$OUT/recv.err")"
	[ "$(ls -ld "$FILE" 2>&1)" = "$before" ] || fail "$1: the file changed"
	echo "shm_test: $1 refused: $(cat "$OUT/recv.err")"
}

# Line 0 of a message ring of capacity 64, version V (hex u16).
header() {
	echo "52504950${1}0010400000000100000080000000000100000010"
}

# A file nobody holds a slot of is left over: the opener replaces it.
printf 'left over' >"$FILE"
run_pair "over a left-over file" 100 64 65536

ln -s /dev/null "$FILE"
expect_refused "a symbolic link" "untrusted"
rm -f "$FILE"
mkdir "$FILE"
expect_refused "a directory" "untrusted"
rmdir "$FILE"

if command -v python3 >/dev/null 2>&1; then
	: >"$FILE"
	truncate -s 4160 "$FILE"
	hold "$FILE" 3 3 "$(header 0200)"
	expect_refused "a version 2 segment in use" "not a version 3 ring"
	wait
	rm -f "$FILE"

	: >"$FILE"
	truncate -s 4224 "$FILE"
	hold "$FILE" 0 3 "$(header 0300)"
	expect_refused "a segment of the wrong size" "not 4160"
	wait
	rm -f "$FILE"

	: >"$FILE"
	truncate -s 4160 "$FILE"
	hold "$FILE" 0 3 "$(header 0300)"
	expect_refused "a segment not all allocated" "allocated, not 4160"
	wait
	rm -f "$FILE"

	: >"$FILE"
	hold "$FILE" 128 3
	expect_refused "a lifetime lock held for long" "lifetime lock stays held"
	wait
	rm -f "$FILE"
else
	echo "shm_test: python3 not found, lock holder tests SKIPPED"
fi

# Exit codes.
"$RP" stat "$NAME" >/dev/null 2>&1
[ $? -eq 1 ] || fail "stat of a missing pipe should exit 1"
"$RP" recv "bad/name" >/dev/null 2>&1
[ $? -eq 2 ] || fail "a bad name should exit 2"
"$RP" send "$NAME" 1 >/dev/null 2>&1
[ $? -eq 2 ] || fail "missing SIZE should exit 2"
"$RP" recv "$NAME" --timeout 1 >/dev/null 2>&1
[ $? -eq 3 ] || fail "recv with no writer should time out with 3"
rm -f "$FILE"

rm -rf "$OUT"
if [ $failures -ne 0 ]; then
	echo "shm_test: $failures failures"
	exit 1
fi
echo "shm_test: all passed"
