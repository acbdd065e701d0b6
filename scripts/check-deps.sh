#!/usr/bin/env bash
# The dependency rule: domain/ imports only the standard library and other
# domain packages. Fails listing every offending import.
set -euo pipefail
mod=$(go list -m)
bad=$(go list -f '{{.ImportPath}}: {{join .Imports " "}}' ./domain/... | while IFS=: read -r pkg imports; do
  for imp in $imports; do
    case "$imp" in
      "$mod"/domain/*) ;;
      *.*/*) echo "$pkg imports $imp" ;;
    esac
  done
done)
if [ -n "$bad" ]; then
  echo "domain/ must not import infrastructure:"; echo "$bad"; exit 1
fi
echo "dependency rule: ok"
