#!/usr/bin/env bash
# Install the system tools a build step needs, when this machine allows it.
#
#   tools/system-deps.sh tex        # xelatex, latexmk, fonts (for the PDF)
#   tools/system-deps.sh chromium   # headless Chromium (for the accessibility and offline tests)
#   tools/system-deps.sh dictionary # the en_GB Hunspell dictionary (for the spell check)
#
# Exit 0: the tools are there (found, or installed now as root with apt-get on Debian).
# Exit 3: they are missing and could not be installed here; a message says what was skipped.
#         Under CI=true that is not allowed: the script says so and exits 1.
set -euo pipefail

what=${1:?usage: tools/system-deps.sh tex|chromium|dictionary}
commands=()
files=()
case "$what" in
  tex)
    commands=(xelatex latexmk)
    packages=(texlive-xetex texlive-latex-extra texlive-fonts-recommended texlive-lang-cyrillic
              latexmk fonts-freefont-otf xindy poppler-utils)
    ;;
  chromium)
    commands=(chromium)
    packages=(chromium chromium-driver fonts-freefont-otf)
    ;;
  dictionary)
    files=(/usr/share/hunspell/en_GB.dic /usr/share/hunspell/en_GB.aff)
    packages=(hunspell-en-gb)
    ;;
  *) echo "unknown tool set: $what" >&2; exit 2 ;;
esac

missing=()
for c in "${commands[@]}"; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
for f in "${files[@]}"; do [ -e "$f" ] || missing+=("$f"); done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${packages[*]} (missing: ${missing[*]}) …"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  for c in "${commands[@]}"; do
    command -v "$c" >/dev/null 2>&1 || { echo "installed ${packages[*]} but '$c' is still missing" >&2; exit 1; }
  done
  for f in "${files[@]}"; do
    [ -e "$f" ] || { echo "installed ${packages[*]} but '$f' is still missing" >&2; exit 1; }
  done
  exit 0
fi

msg="SKIPPED: '${missing[*]}' not found, and this is not a root Debian shell that could install it. Install: sudo apt-get install ${packages[*]}"
if [ "${CI:-}" = "true" ]; then
  echo "CI=true: nothing may be skipped. $msg" >&2
  exit 1
fi
echo "$msg" >&2
exit 3
