#!/bin/sh
# SPDX-License-Identifier: MIT
# run_built.sh PROGRAM ARGS...: runs a program that scripts/build-mesa.sh builds, or says how to get it.
if [ ! -e "$1" ]; then
    echo "Bail out! $1 is missing: build Mesa first (make mesa)"
    exit 1
fi
exec "$@"
