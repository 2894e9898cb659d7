# Sourced by the scripts that need a system package (nginx, chromium, python3-redis): installs it
# from Debian when it is missing, refreshing the package lists only if a first attempt fails.
#   ensure_debian_package PACKAGE EXECUTABLE...   (the first executable found means it is there)
#   install_debian_package PACKAGE                (for a caller with its own check, e.g. a Python module)
ensure_debian_package() {
  local package=$1 executable
  shift
  for executable in "$@"; do
    command -v "$executable" >/dev/null 2>&1 && return 0
    [[ -x "$executable" ]] && return 0
  done
  install_debian_package "$package"
}

install_debian_package() {
  local package=$1
  echo "installing $package (Debian package)..." >&2
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q "$package" >/dev/null 2>&1 \
    || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q "$package" >/dev/null; }
}
