#!/bin/sh
# make bench: run every registered meson benchmark; each prints its figures beside a baseline it measured in
# the same run (memcpy, memset, a plain C loop, ...), since this machine class is noisy.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
meson test -C "$top/build" --benchmark --verbose --num-processes 1
