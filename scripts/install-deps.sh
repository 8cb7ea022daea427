#!/usr/bin/env bash
# Installs the Debian packages kubectl-starform builds and tests with, when any is missing.
# Runs as root (apt-get); does nothing when everything is already there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libcurl4-openssl-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libdtl-dev catch2 libssl-dev
  libcpp-httplib-dev libmimalloc-dev nghttp2-proxy tinyproxy
  clang-format python3 python3-yaml
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  if [[ $(id -u) -ne 0 ]]; then
    echo "error: missing packages (${missing[*]}); run this as root or install them with apt-get" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
