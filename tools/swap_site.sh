#!/usr/bin/env bash
# Publish a built folder atomically:  tools/swap_site.sh DIR NAME
#
# _build/NAME becomes a complete copy of DIR. The copy is made in _build/versions/NAME.XXXXXX,
# then a symbolic link _build/NAME is renamed over the old one (rename(2) is atomic), so at every
# instant, even if this script is killed, _build/NAME is the old complete copy or the new one.
# Older copies are removed afterwards. (tests/test_build_faults.py kills it at random moments.)
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:?usage: tools/swap_site.sh DIR NAME}
name=${2:?usage: tools/swap_site.sh DIR NAME}
mkdir -p _build/versions
new=$(mktemp -d "_build/versions/$name.XXXXXX")
chmod 755 "$new"
cp -a "$src/." "$new/"
sync -f "$new" 2>/dev/null || true
ln -sfn "versions/${new##*/}" "_build/$name.swap"
if [ -d "_build/$name" ] && [ ! -L "_build/$name" ]; then   # a site from before links were used
  mv "_build/$name" "_build/versions/$name.old"
fi
mv -T "_build/$name.swap" "_build/$name"                     # one rename: old copy or new
current=$(readlink "_build/$name")
for old in _build/versions/"$name".*; do
  [ "versions/${old##*/}" = "$current" ] || rm -rf "$old"
done
