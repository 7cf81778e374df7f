#!/usr/bin/env bash
# Publish the built site (_build/html, with the PDF and the data archive) to the gh-pages branch.
#
#   make publish                             # build, run the whole test suite, then this script
#   tools/publish.sh                         # commit the tested site to gh-pages; push it if there is a remote
#   tools/publish.sh --no-push               # commit only (no network needed)
#   PUBLISH_REMOTE=upstream tools/publish.sh # push to another remote than origin
#
# Plain git, no extra tool: the site is committed with a temporary index, so neither your working
# tree nor your staging area is touched, and the branch holds exactly the files of _build/html plus
# .nojekyll (which tells GitHub Pages to serve _static/ and _images/ as they are). Each publication
# is one commit on top of the previous one, whose message names the source commit; when the site
# did not change, nothing is committed. GitHub Pages then serves the branch (Settings → Pages →
# "Deploy from a branch": gh-pages, / (root)). The workflow .github/workflows/publish.yml is the
# alternative that builds and deploys on GitHub itself.
set -euo pipefail
cd "$(dirname "$0")/.."

SITE=_build/html
BRANCH=${PUBLISH_BRANCH:-gh-pages}
REMOTE=${PUBLISH_REMOTE:-origin}
push=yes
for arg in "$@"; do
  case "$arg" in
    --no-push) push=no ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "usage: tools/publish.sh [--no-push]" >&2; exit 2 ;;
  esac
done

fail() { echo "publish: $*" >&2; exit 1; }
git rev-parse --git-dir >/dev/null 2>&1 || fail "not a git repository"
[ -f "$SITE/index.html" ] || fail "no built site in $SITE: run 'make publish' (it builds and tests)"
# Only the very site that a passing `make test` tested: the marker names the published copy.
tested=$(cat _build/tests-passed 2>/dev/null || true)
[ -n "$tested" ] && [ "${tested%% pdf *}" = "html $(readlink "$SITE" 2>/dev/null)" ] \
  || fail "$SITE has not passed the test suite since it was built: run 'make publish' (make test, then this)"
[ -f "$SITE/data/ky2015-data.zip" ] || fail "$SITE has no data archive: run 'make html' (tools/build.sh html)"
if [ ! -f "$SITE/ngos-in-kazakhstan.pdf" ]; then
  [ "${ALLOW_NO_PDF:-}" = 1 ] || fail "$SITE has no PDF: run 'make book' (or set ALLOW_NO_PDF=1 to publish without it)"
  echo "publish: publishing without the PDF (ALLOW_NO_PDF=1)" >&2
fi

source_commit=$(git rev-parse --verify -q HEAD || echo "no commit")
dirty=""
[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && dirty=" (with uncommitted changes)"

# Commit the site with a temporary index: the working tree and the real index stay as they are.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GIT_INDEX_FILE="$tmp/index"
git --work-tree="$SITE" add --all --force .
git update-index --add --cacheinfo "100644,$(git hash-object -w --stdin </dev/null),.nojekyll"
tree=$(git write-tree)
unset GIT_INDEX_FILE

parent=$(git rev-parse --verify -q "refs/heads/$BRANCH" || true)
if [ -n "$parent" ] && [ "$(git rev-parse "$parent^{tree}")" = "$tree" ]; then
  echo "publish: $BRANCH already holds this site ($(git rev-parse --short "$parent")); nothing to commit"
else
  export GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-$(git config user.name || echo "ky2015-edition publisher")}
  export GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-$(git config user.email || echo "publisher@ky2015-edition.invalid")}
  export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-$GIT_AUTHOR_NAME}
  export GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-$GIT_AUTHOR_EMAIL}
  commit=$(git commit-tree "$tree" ${parent:+-p "$parent"} \
           -m "Publish the site built from ${source_commit}${dirty}")
  git update-ref "refs/heads/$BRANCH" "$commit" ${parent:+"$parent"}
  echo "publish: $BRANCH is now $(git rev-parse --short "$commit") ($(git ls-tree -r --name-only "$commit" | wc -l) files, site of ${source_commit:0:12}${dirty})"
fi

if [ "$push" = no ]; then
  echo "publish: not pushed (--no-push)"
elif git remote get-url "$REMOTE" >/dev/null 2>&1; then
  git push "$REMOTE" "refs/heads/$BRANCH:refs/heads/$BRANCH"
  echo "publish: pushed $BRANCH to $REMOTE"
else
  echo "publish: no remote '$REMOTE'; $BRANCH is ready to push (git push <remote> $BRANCH)"
fi
