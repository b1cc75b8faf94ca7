#!/bin/sh
# Assembles the browser page (make web): web/page.html with each line "@include FILE@" replaced
# by FILE, "@base64 WASM@", "@base64 MODEL_A@", "@base64 MODEL_B@" by those files in base64
# (RFC 4648, one line), and "@json ALIGNMENT@" by B's alignment to A as `twinnet align --json`
# writes it (one object; no "<", so it cannot close its script element). One self-contained HTML
# file on standard output: no server, no network.
# Usage: sh scripts/web-page.sh MODULE.wasm MODEL_A.tnm MODEL_B.tnm ALIGNMENT.json > twinnet.html
set -eu
[ $# -eq 4 ] || { echo "usage: sh scripts/web-page.sh MODULE.wasm MODEL_A MODEL_B ALIGNMENT.json" >&2; exit 2; }
for f in "$@"; do [ -s "$f" ] || { echo "web-page.sh: $f: missing or empty" >&2; exit 1; }; done
if grep -q '<' "$4"; then echo "web-page.sh: $4: has a '<'" >&2; exit 1; fi
ROOT=$(dirname "$0")/..
while IFS= read -r line; do
    case $line in
    "@include "*@) f=${line#@include }; cat "$ROOT/${f%@}" ;;
    "@base64 WASM@") base64 -w 0 "$1"; echo ;;
    "@base64 MODEL_A@") base64 -w 0 "$2"; echo ;;
    "@base64 MODEL_B@") base64 -w 0 "$3"; echo ;;
    "@json ALIGNMENT@") cat "$4" ;;
    @*@) echo "web-page.sh: unknown directive $line" >&2; exit 1 ;;
    *) printf '%s\n' "$line" ;;
    esac
done < "$ROOT/web/page.html"
