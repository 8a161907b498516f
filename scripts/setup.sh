#!/usr/bin/env bash
# Installs what Warren needs on a Debian 12 host, idempotently: Debian packages that are
# missing, npm packages from the committed lockfile, and the small C helpers of the runner.
# Usage: scripts/setup.sh [--test]   (--test adds what the test suite needs: Chromium, Postgres)
set -euo pipefail
cd "$(dirname "$0")/.."

need_node_major=20
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt "$need_node_major" ]; then
  echo "Warren needs Node.js >= $need_node_major (found: $(node -v 2>/dev/null || echo none))." >&2
  exit 1
fi

# Debian packages: name of a command each provides -> package.
declare -A pkgs=(
  [runc]=runc [runsc]=runsc [slirp4netns]=slirp4netns [socat]=socat [flock]=util-linux [newuidmap]=uidmap
  [cc]=gcc [mkfs.ext4]=e2fsprogs [btrfs]=btrfs-progs [nsenter]=util-linux [hostname]=hostname [make]=make [iptables-restore]=iptables [ip]=iproute2
  # Templates from OCI images: skopeo pulls, setfattr marks overlay's opaque dirs (runner/images).
  [skopeo]=skopeo [setfattr]=attr
  # The platform `debian` template: Debian bookworm built from Debian's archive (lib/templates/debian.ts).
  [mmdebstrap]=mmdebstrap
)
if [ "${1:-}" = "--test" ]; then
  pkgs[chromium]=chromium
  pkgs[pg_ctlcluster]=postgresql
  # Image tests: a real registry on loopback, its htpasswd, and a static userland for test images.
  pkgs[docker-registry]=docker-registry
  pkgs[htpasswd]=apache2-utils
  pkgs[busybox]=busybox-static
fi
missing=()
for cmd in "${!pkgs[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("${pkgs[$cmd]}")
done
[ -f /usr/include/stdio.h ] || missing+=(libc6-dev)
# The code interpreter's matplotlib test: sandboxes of the default template run the host's /usr.
if [ "${1:-}" = "--test" ] && ! /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then missing+=(python3-matplotlib); fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages (npm ci is not usable here: the registry lacks some platform-only optionals).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund --loglevel=error
fi

# The runner's native helpers (in-sandbox agent, host mount helper).
if [ -f runner/native/Makefile ]; then
  make -s -C runner/native
fi
