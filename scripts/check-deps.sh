#!/usr/bin/env bash
# The dependency rules, each failing with every offending import:
#   - domain/ imports only the standard library and other domain packages;
#   - app/ imports only those and wire: metrics, tracing and storage are
#     adapters behind ports app declares;
#   - the doors stay apart: graph/ never reaches adapters/rest and
#     adapters/rest never reaches graph/, not even through another package
#     (what both need lives in adapters/httpapi).
set -euo pipefail
mod=$(go list -m)
fail=0

bad=$(go list -f '{{.ImportPath}}: {{join .Imports " "}}' ./domain/... | while IFS=: read -r pkg imports; do
  for imp in $imports; do
    case "$imp" in
      "$mod"/domain/*) ;;
      *.*/*) echo "$pkg imports $imp" ;;
    esac
  done
done)
if [ -n "$bad" ]; then
  echo "domain/ must not import infrastructure:"; echo "$bad"; fail=1
fi

bad=$(go list -f '{{.ImportPath}}: {{join .Imports " "}}' ./app/... | while IFS=: read -r pkg imports; do
  for imp in $imports; do
    case "$imp" in
      "$mod"/domain/*|github.com/google/wire) ;;
      *.*/*) echo "$pkg imports $imp" ;;
    esac
  done
done)
if [ -n "$bad" ]; then
  echo "app/ must not import infrastructure (declare a port):"; echo "$bad"; fail=1
fi

# apart FROM TO: no package under FROM depends (directly or not) on TO.
apart() {
  local out
  out=$(go list -deps -f '{{.ImportPath}}' "./$1/..." | grep -E "^$mod/$2(/|\$)" || true)
  if [ -n "$out" ]; then
    echo "$1/ must not depend on $2/ (share through adapters/httpapi):"
    for p in $(go list "./$1/..."); do
      go list -deps -f '{{.ImportPath}}' "$p" | grep -qE "^$mod/$2(/|\$)" && echo "  $p reaches $(echo "$out" | head -1)"
    done
    fail=1
  fi
  return 0
}
apart graph adapters/rest
apart adapters/rest graph

[ "$fail" = 0 ] || exit 1
echo "dependency rule: ok"
