# Sourced by scripts/demo, scripts/test and .ci/run: makes the browser-app build tools available.
# Versions are pinned to what Cargo.lock and the toolchain need (see ARCHITECTURE.md, "Build"):
#   trunk 0.21.14 (0.22 needs a newer rustc), wasm-bindgen-cli == the wasm-bindgen in Cargo.lock.
# Tools go to $MADOGUCHI_TOOLS (default ~/.local/madoguchi-tools) and are reused when present.

MADOGUCHI_TOOLS="${MADOGUCHI_TOOLS:-$HOME/.local/madoguchi-tools}"
TRUNK_VERSION="0.21.14"
# wasm-opt from the npm package `binaryen` (Debian's binaryen is too old for today's wasm).
BINARYEN_VERSION="132.0.0"
export PATH="$MADOGUCHI_TOOLS/bin:$HOME/.cargo/bin:$PATH"

wasm_bindgen_version() {
  # The version Cargo.lock resolves (the `=` pin in Cargo.toml keeps it fixed).
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

ensure_web_tools() {
  local wbg; wbg="$(wasm_bindgen_version)"
  rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
  if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
    echo "Installing trunk $TRUNK_VERSION into $MADOGUCHI_TOOLS (first time only; takes 10-20 minutes on 2 cores)…"
    cargo install --locked --root "$MADOGUCHI_TOOLS" "trunk@$TRUNK_VERSION"
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wbg" ]; then
    echo "Installing wasm-bindgen-cli $wbg into $MADOGUCHI_TOOLS (first time only)…"
    # Without --locked: a locked dependency of this CLI version is missing from the registry.
    cargo install --root "$MADOGUCHI_TOOLS" "wasm-bindgen-cli@$wbg"
  fi
  ensure_wasm_opt || true
}

# wasm-opt shrinks the app by a third; it needs Node (npm). Without it the app is built unshrunk.
ensure_wasm_opt() {
  if [ "$(wasm-opt --version 2>/dev/null | awk '{print $3}')" = "${BINARYEN_VERSION%%.*}" ]; then return 0; fi
  if ! command -v npm >/dev/null; then
    echo "NOTE: npm not found: the browser app is built without wasm-opt (larger download)." >&2
    return 1
  fi
  echo "Installing wasm-opt (npm binaryen@$BINARYEN_VERSION) into $MADOGUCHI_TOOLS…"
  mkdir -p "$MADOGUCHI_TOOLS/bin"
  npm install --silent --no-audit --no-fund --prefix "$MADOGUCHI_TOOLS/binaryen" "binaryen@$BINARYEN_VERSION" >/dev/null \
    && ln -sf "$MADOGUCHI_TOOLS/binaryen/node_modules/.bin/wasm-opt" "$MADOGUCHI_TOOLS/bin/wasm-opt"
}

build_web() {
  ensure_web_tools
  cargo fetch --quiet
  if command -v wasm-opt >/dev/null; then
    trunk build --release --offline || { echo "trunk build failed" >&2; return 1; }
  else
    # The same page without the wasm-opt step (web/index.html asks for it).
    sed 's/data-wasm-opt="z"/data-wasm-opt="0"/' web/index.html > web/index.no-wasm-opt.html
    trunk build --release --offline web/index.no-wasm-opt.html || { rm -f web/index.no-wasm-opt.html; echo "trunk build failed" >&2; return 1; }
    rm -f web/index.no-wasm-opt.html
  fi
  # The size a browser downloads, gzipped.
  local total=0 f s
  for f in web/dist/*.wasm web/dist/*.js web/dist/*.css; do
    [ -f "$f" ] || continue
    s=$(gzip -9 -c "$f" | wc -c); total=$((total + s))
    printf '  %-48s %8d bytes gzipped\n' "$f" "$s"
  done
  printf '  browser app total: %d KiB gzipped\n' $((total / 1024))
  # The server sends brotli (quality 9) to browsers that take it, ≈20 % smaller (BENCHMARKS.md).
  # Release builds of the server embed web/dist: build the server after this to ship it.
}
