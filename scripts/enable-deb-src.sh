#!/bin/sh
# Make `apt-get source` and `apt-get build-dep` work by deriving deb-src entries from the machine's own
# apt sources (deb822 *.sources files and one-line *.list files). No mirror host is named here: each
# deb-src entry copies the URI of an existing deb entry.
set -eu
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
out=/etc/apt/sources.list.d/vgpu-deb-src.sources
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

# Already have deb-src for Debian? Then nothing to do.
if grep -qsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
        /etc/apt/sources.list.d/*.list 2>/dev/null; then
    exit 0
fi

# deb822 files: every stanza of Types: deb whose suites look like Debian's becomes a deb-src stanza.
for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'BEGIN { RS=""; ORS="\n\n" }
         /Types:[ \t]*deb/ && /Suites:[ \t]*bookworm/ {
             gsub(/Types:[ \t]*deb[^\n]*/, "Types: deb-src"); print }' "$f" >>"$tmp"
done
# one-line files
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    grep -E '^deb[ \t].*bookworm' "$f" | sed 's/^deb[ \t]/deb-src /' | while read -r line; do
        printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n\n' \
            "$(echo "$line" | awk '{print $2}')" "$(echo "$line" | awk '{print $3}')" \
            "$(echo "$line" | cut -d' ' -f4-)"
    done >>"$tmp"
done
if [ ! -s "$tmp" ]; then
    echo "enable-deb-src: no Debian bookworm 'deb' entry found in /etc/apt; add one, then re-run" >&2
    exit 1
fi
$SUDO cp "$tmp" "$out"
$SUDO chmod 644 "$out"
$SUDO apt-get update -q >/dev/null
