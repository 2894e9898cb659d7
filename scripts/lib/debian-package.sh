# Sourced by the scripts that need a system package (nginx, chromium): installs it from Debian when
# the executable is missing, refreshing the package lists only if a first attempt fails.
#   ensure_debian_package PACKAGE EXECUTABLE...   (the first executable found means it is there)
ensure_debian_package() {
  local package=$1 executable
  shift
  for executable in "$@"; do
    command -v "$executable" >/dev/null 2>&1 && return 0
    [[ -x "$executable" ]] && return 0
  done
  echo "installing $package (Debian package)..." >&2
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q "$package" >/dev/null 2>&1 \
    || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q "$package" >/dev/null; }
}
