# TAP helpers for the guest suite's shell tests: plan N, then ok/fail/skip per test point.
tap_number=0
tap_failed=0
plan() { echo "1..$1"; }
ok() { tap_number=$((tap_number + 1)); echo "ok $tap_number - $1"; }
fail() { tap_number=$((tap_number + 1)); tap_failed=1; echo "not ok $tap_number - $1"; shift; for line in "$@"; do echo "# $line"; done; }
skip() { tap_number=$((tap_number + 1)); echo "ok $tap_number - $1 # SKIP $2"; }
# check NAME CONDITION-COMMAND...: a test point that passes when the command succeeds.
check() { name=$1; shift; if "$@"; then ok "$name"; else fail "$name"; fi; }
# show FILE: its lines as TAP comments, to explain a failure.
show() { sed 's/^/# /' "$1"; }
tap_done() { exit $tap_failed; }
