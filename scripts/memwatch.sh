#!/usr/bin/env bash
# Runs a command and reports its peak anonymous memory (heap, caches) and
# peak file-backed resident pages (mapped files), sampled every 50 ms from
# /proc. /usr/bin/time reports their sum, which for a SQLite process that
# maps its database is mostly the kernel's page cache of that file.
# Usage: scripts/memwatch.sh COMMAND [ARG...]   (the command's output passes through)
set -uo pipefail
"$@" &
pid=$!
anon=0
file=0
while kill -0 "$pid" 2>/dev/null; do
  if read -r a f < <(awk '/^RssAnon/ {a=$2} /^RssFile/ {f=$2} END {print a+0, f+0}' "/proc/$pid/status" 2>/dev/null); then
    (( a > anon )) && anon=$a
    (( f > file )) && file=$f
  fi
  sleep 0.05
done
wait "$pid"
rc=$?
echo "peak anonymous memory: $((anon / 1024)) MiB; peak file-backed resident: $((file / 1024)) MiB" >&2
exit $rc
