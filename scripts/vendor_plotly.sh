#!/usr/bin/env bash
# Refresh the plotly.js bundle the dashboards draw with (src/tariffmodel/dashboards/static/): the
# "finance" distribution of plotly.js from the npm registry (bar, waterfall, scatter and a few
# more trace types; a quarter of the whole library). The tarball is checked against the
# registry's integrity digest; then update PLOTLY_JS_SHA256 in src/tariffmodel/figure_view.py.
#   usage: scripts/vendor_plotly.sh [VERSION]
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGE=plotly.js-finance-dist-min
VERSION=${1:-4.1.0}
DEST=src/tariffmodel/dashboards/static
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

want=$(npm view "$PACKAGE@$VERSION" dist.integrity)
(cd "$work" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
tarball=$(ls "$work"/*.tgz)
got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$got" != "$want" ]; then
  echo "vendor_plotly: $tarball: integrity $got, registry says $want" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$work"
cp "$work/package/plotly-finance.min.js" "$DEST/plotly-finance.min.js"
cp "$work/package/LICENSE" "$DEST/LICENSE.plotly.js.txt"
echo "vendor_plotly: $PACKAGE@$VERSION ($want)"
echo "PLOTLY_JS_SHA256 = \"$(sha256sum "$DEST/plotly-finance.min.js" | cut -d' ' -f1)\""
