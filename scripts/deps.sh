#!/usr/bin/env bash
# Installs what building (and, with --test, testing) Backoffice needs on a
# Debian or Ubuntu machine, skipping whatever is already there.
set -euo pipefail

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "deps: not root and no sudo: install packages by hand" >&2; exit 1; }
  sudo_cmd=(sudo)
fi

build_pkgs=(build-essential pkg-config curl libssl-dev libdbus-1-dev
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libxdo-dev)
test_pkgs=(xvfb xauth webkit2gtk-driver dbus dbus-x11 gnome-keyring libsecret-tools
  postgresql postgresql-contrib mariadb-server mariadb-client imagemagick python3-aiosmtpd
  xdotool
  # the framework fixtures: a venv, and what mysqlclient compiles against
  python3-venv python3-dev default-libmysqlclient-dev)

pkgs=("${build_pkgs[@]}")
[[ $want_test -eq 1 ]] && pkgs+=("${test_pkgs[@]}")
command -v node >/dev/null || pkgs+=(nodejs)
command -v npm >/dev/null || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "deps: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  # Installing a database server must not try to start it through systemd
  # where there is none; services.sh starts what is needed.
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  if [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    echo "deps: cargo is in ~/.cargo/bin; add it to PATH (source ~/.cargo/env)" >&2
  else
    echo "deps: installing the Rust toolchain with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c rustfmt,clippy
  fi
  echo "deps: open a new shell (or source ~/.cargo/env) and run make again" >&2
  exit 1
fi

if [[ $want_test -eq 1 ]] && ! command -v tauri-driver >/dev/null; then
  echo "deps: installing tauri-driver"
  cargo install tauri-driver --version '^2' --locked
fi
