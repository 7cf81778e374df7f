#!/usr/bin/env bash
# Publish both editions: the built sites (with their PDFs and data archives) to the gh-pages
# branch, and the student edition's notebooks to the branch its launch buttons open.
#
#   make publish                             # build, run the whole test suite, then this script
#   tools/publish.sh                         # commit the tested sites; push them if there is a remote
#   tools/publish.sh --no-push               # commit only (no network needed)
#   tools/publish.sh --record-tested         # (make tests-only) mark the current sites as tested
#   tools/publish.sh --pages-folder DIR      # (the deploy workflow) write both sites into DIR for
#                                            # GitHub Pages, and commit and push the student branch
#   PUBLISH_REMOTE=upstream tools/publish.sh # push to another remote than origin
#
# gh-pages holds the instructor edition (_build/html) at its root and the student edition
# (_build/student/html, built with its own base URL <baseurl>student/) in student/, plus
# .nojekyll (which tells GitHub Pages to serve _static/ and _images/ as they are). The branch
# `student` (STUDENT_BRANCH) holds _build/student-branch: the stripped notebooks, the data and
# Binder's requirements, which is what the student site's Binder and Colab buttons open.
# Plain git, no extra tool: each tree is committed with a temporary index, so neither your working
# tree nor your staging area is touched. Each publication is one commit on top of the previous
# one, whose message names the source commit; when nothing changed, nothing is committed. GitHub
# Pages then serves gh-pages (Settings → Pages → "Deploy from a branch": gh-pages, / (root)). The
# workflow .github/workflows/publish.yml is the alternative that builds and deploys on GitHub.
set -euo pipefail
cd "$(dirname "$0")/.."

SITE=_build/html
STUDENT_SITE=_build/student/html
STUDENT_TREE=_build/student-branch
MARKER=_build/tests-passed
BRANCH=${PUBLISH_BRANCH:-gh-pages}
STUDENT_BRANCH=${STUDENT_BRANCH:-student}
REMOTE=${PUBLISH_REMOTE:-origin}
PDF=ngos-in-kazakhstan.pdf

# A fingerprint of a folder's files (names and contents), to tell whether a site changed since
# it was tested.
digest() {
  (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
}

push=yes
pages_folder=""
while [ $# -gt 0 ]; do
  arg=$1; shift
  case "$arg" in
    --no-push) push=no ;;
    --pages-folder) [ $# -gt 0 ] || { echo "usage: --pages-folder DIR" >&2; exit 2; }; pages_folder=$1; shift ;;
    --record-tested)
      [ -d "$STUDENT_SITE" ] && student=$(digest "$STUDENT_SITE") || student=none
      echo "html $(readlink "$SITE" 2>/dev/null) pdf $(readlink _build/pdf 2>/dev/null) student $student commit $(git rev-parse HEAD 2>/dev/null)" > "$MARKER"
      exit 0 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "usage: tools/publish.sh [--no-push | --record-tested | --pages-folder DIR]" >&2; exit 2 ;;
  esac
done

fail() { echo "publish: $*" >&2; exit 1; }
git rev-parse --git-dir >/dev/null 2>&1 || fail "not a git repository"
[ -f "$SITE/index.html" ] || fail "no built site in $SITE: run 'make publish' (it builds and tests)"
# Only the very sites that a passing `make test` tested: the marker names the published copy of
# the instructor site and the fingerprint of the student site.
tested=$(cat "$MARKER" 2>/dev/null || true)
[ -n "$tested" ] && [ "${tested%% pdf *}" = "html $(readlink "$SITE" 2>/dev/null)" ] \
  || fail "$SITE has not passed the test suite since it was built: run 'make publish' (make test, then this)"
[ -f "$STUDENT_SITE/index.html" ] && [ -f "$STUDENT_TREE/README.md" ] \
  || fail "no student edition in $STUDENT_SITE: run 'make publish' (it builds both editions and tests them)"
student_tested=${tested#* student }
[ "${student_tested%% *}" = "$(digest "$STUDENT_SITE")" ] \
  || fail "$STUDENT_SITE has not passed the test suite since it was built: run 'make publish' (make test, then this)"
[ -z "$(find "$STUDENT_SITE" -name '*answer-key*' -print -quit)" ] \
  || fail "$STUDENT_SITE holds the answer key, which only the instructor edition publishes"
[ ! -e "$SITE/student" ] || fail "$SITE has its own student/ folder, where the student edition goes"
for site in "$SITE" "$STUDENT_SITE"; do
  [ -f "$site/data/ky2015-data.zip" ] || fail "$site has no data archive: run 'make publish'"
  if [ ! -f "$site/$PDF" ]; then
    [ "${ALLOW_NO_PDF:-}" = 1 ] || fail "$site has no PDF: run 'make publish' (or set ALLOW_NO_PDF=1 to publish without it)"
    echo "publish: publishing $site without the PDF (ALLOW_NO_PDF=1)" >&2
  fi
done

source_commit=$(git rev-parse --verify -q HEAD || echo "no commit")
dirty=""
[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && dirty=" (with uncommitted changes)"

export GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-$(git config user.name || echo "ky2015-edition publisher")}
export GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-$(git config user.email || echo "publisher@ky2015-edition.invalid")}
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-$GIT_AUTHOR_NAME}
export GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-$GIT_AUTHOR_EMAIL}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The tree of a folder's files, written with a temporary index.
tree_of() {
  GIT_INDEX_FILE="$tmp/index.$2" git --work-tree="$1" add --all --force .
  GIT_INDEX_FILE="$tmp/index.$2" git write-tree
}

# Commit a tree on a branch unless the branch already holds it.
commit_tree() {
  local branch=$1 tree=$2 what=$3 parent commit
  parent=$(git rev-parse --verify -q "refs/heads/$branch" || true)
  if [ -n "$parent" ] && [ "$(git rev-parse "$parent^{tree}")" = "$tree" ]; then
    echo "publish: $branch already holds this $what ($(git rev-parse --short "$parent")); nothing to commit"
    return
  fi
  commit=$(git commit-tree "$tree" ${parent:+-p "$parent"} \
           -m "Publish the $what built from ${source_commit}${dirty}")
  git update-ref "refs/heads/$branch" "$commit" ${parent:+"$parent"}
  echo "publish: $branch is now $(git rev-parse --short "$commit") ($(git ls-tree -r --name-only "$commit" | wc -l) files, $what of ${source_commit:0:12}${dirty})"
}

if [ -n "$pages_folder" ]; then
  # For the deploy workflow: one folder holding both sites, as gh-pages would.
  rm -rf "$pages_folder"
  mkdir -p "$pages_folder"
  cp -R "$SITE/." "$pages_folder/"
  cp -R "$STUDENT_SITE" "$pages_folder/student"
  echo "publish: both editions are in $pages_folder ($(find "$pages_folder" -type f | wc -l) files)"
fi

# gh-pages: the instructor site, the student site in student/, and .nojekyll.
student_tree=$(tree_of "$STUDENT_SITE" student)
export GIT_INDEX_FILE="$tmp/index.pages"
git --work-tree="$SITE" add --all --force .
git read-tree --prefix=student/ "$student_tree"
git update-index --add --cacheinfo "100644,$(git hash-object -w --stdin </dev/null),.nojekyll"
pages_tree=$(git write-tree)
unset GIT_INDEX_FILE
[ -n "$pages_folder" ] || commit_tree "$BRANCH" "$pages_tree" "sites (instructor and student editions)"
# The student edition's launch branch.
commit_tree "$STUDENT_BRANCH" "$(tree_of "$STUDENT_TREE" branch)" "student notebooks"

branches=("refs/heads/$BRANCH:refs/heads/$BRANCH" "refs/heads/$STUDENT_BRANCH:refs/heads/$STUDENT_BRANCH")
[ -z "$pages_folder" ] || branches=("${branches[1]}")
if [ "$push" = no ]; then
  echo "publish: not pushed (--no-push)"
elif git remote get-url "$REMOTE" >/dev/null 2>&1; then
  git push "$REMOTE" "${branches[@]}"
  echo "publish: pushed $(printf '%s\n' "${branches[@]}" | sed 's#.*refs/heads/##' | paste -sd' ' - | sed 's/ / and /') to $REMOTE"
else
  echo "publish: no remote '$REMOTE'; $BRANCH and $STUDENT_BRANCH are ready to push (git push <remote> $BRANCH $STUDENT_BRANCH)"
fi
