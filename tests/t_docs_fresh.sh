# The screenshots in docs/ are no older than the code they show: docs/report.png's last commit is
# not older than the last commit touching src/report/, nor docs/web.png's than web/'s (git log
# -1 --format=%ct). Refresh docs/report.png with `python3 tests/webdriver.py shot build/demo/report.html
# 1280 800 docs/report.png` after make demo; docs/web.png as the page's tests say.
# Skips outside a git checkout, or where git is missing.
. tests/common.sh
command -v git > /dev/null 2>&1 || { echo "skipped: no git"; exit 77; }
git rev-parse --is-inside-work-tree > /dev/null 2>&1 || { echo "skipped: not a git checkout (the commit dates are not known)"; exit 77; }
fresh() { # fresh SHOT CODE_DIR
    shot=$(git log -1 --format=%ct -- "$1") code=$(git log -1 --format=%ct -- "$2")
    if [ -z "$shot" ]; then bad "$1 is not committed"
    elif [ -z "$code" ]; then ok "$1: nothing in $2 is committed"
    elif [ "$shot" -ge "$code" ]; then ok "$1 ($(git log -1 --format='%h %cs' -- "$1")) is no older than $2 ($(git log -1 --format='%h %cs' -- "$2"))"
    else bad "$1 ($(git log -1 --format='%h %ci' -- "$1")) is older than the last change to $2 ($(git log -1 --format='%h %ci' -- "$2")): refresh it"
    fi
}
fresh docs/report.png src/report/
fresh docs/web.png web/
finish
