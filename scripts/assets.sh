#!/usr/bin/env bash
# Builds the browser assets embedded in the binary (adapters/webui/static)
# from the npm packages pinned in web/package-lock.json. The built files are
# committed; a stamp holds the hash of the inputs, so without --force this
# is a no-op (and needs no network) while the committed files are current.
set -euo pipefail
cd "$(dirname "$0")/.."
out=adapters/webui/static
stamp=$out/.stamp
want=$(cat web/package.json web/package-lock.json scripts/assets.sh | sha256sum | cut -d' ' -f1)
if [ "${1:-}" != "--force" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp web/package.json web/package-lock.json "$tmp/"
(cd "$tmp" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
nm=$tmp/node_modules
rm -rf "$out/graphiql" "$out/swagger-ui"
mkdir -p "$out/graphiql" "$out/swagger-ui"
cp "$nm/react/umd/react.production.min.js" "$nm/react-dom/umd/react-dom.production.min.js" \
   "$nm/graphiql/graphiql.min.js" "$nm/graphiql/graphiql.min.css" "$out/graphiql/"
cp "$nm/graphiql/LICENSE" "$out/graphiql/LICENSE.graphiql"
cp "$nm/react/LICENSE" "$out/graphiql/LICENSE.react"
cp "$nm/swagger-ui-dist/swagger-ui-bundle.js" "$nm/swagger-ui-dist/swagger-ui.css" "$out/swagger-ui/"
cp "$nm/swagger-ui-dist/LICENSE" "$out/swagger-ui/LICENSE"
# Source map references point at files not shipped.
sed -i '/^\/\/# sourceMappingURL=/d; /^\/\*# sourceMappingURL=.*\*\/$/d' "$out"/graphiql/*.js "$out"/graphiql/*.css "$out"/swagger-ui/*.js "$out"/swagger-ui/*.css
echo "$want" > "$stamp"
echo "assets rebuilt in $out"
