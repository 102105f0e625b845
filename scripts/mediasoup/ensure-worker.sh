#!/usr/bin/env bash
# ensure-worker.sh - make sure node_modules/mediasoup/worker/out/Release/mediasoup-worker
# exists and works, building it offline (npm + Debian parts only) when it is not cached.
#
# Usage (from the project root, e.g. as the root package's postinstall):
#   bash scripts/mediasoup/ensure-worker.sh
#
# Steps: Debian packages -> cache key -> (cache miss: build) -> install -> smoke test.
# See scripts/mediasoup/README.md for the design, the env vars and the security notes.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_ROOT="${MEDIASOUP_PROJECT_ROOT:-$(cd "$SCRIPT_DIR/../.." && pwd)}"

MESON_VERSION="${MESON_VERSION:-1.12.1}"
NINJA_VERSION="${NINJA_VERSION:-1.13.2}"
OPENSSL_RECIPE="no-shared no-tests" # part of the OpenSSL cache key

# Debian packages needed to build the worker (checked with dpkg before any apt work).
BUILD_DEBS=(gcc g++ make patch perl pkg-config python3 libuv1-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler libsrtp2-dev)

T0=$(date +%s)

log() { printf '[mediasoup] %s\n' "$*"; }
warn() { printf '[mediasoup] WARNING: %s\n' "$*" >&2; }
die() {
	printf '[mediasoup] ERROR: %s\n' "$*" >&2
	exit 1
}
elapsed() { echo "$(($(date +%s) - T0))s"; }

# Runs a command with its output going to $BUILD_LOG; on failure prints the log's tail and dies.
run_logged() {
	local what="$1"
	shift
	printf '\n=== %s: %s\n' "$what" "$*" >>"$BUILD_LOG"
	if ! "$@" >>"$BUILD_LOG" 2>&1; then
		printf '[mediasoup] ERROR: %s failed; last lines of %s:\n' "$what" "$BUILD_LOG" >&2
		tail -n 40 "$BUILD_LOG" >&2 || true
		exit 1
	fi
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

is_installed_deb() {
	[[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

APT_UPDATED=0
# ensure_debs PKG... : installs the missing ones with apt-get when root (no apt work if none is missing).
ensure_debs() {
	local missing=() p
	if ! command -v dpkg-query >/dev/null 2>&1; then
		warn "dpkg-query not found: cannot check Debian packages ($*); assuming they are present"
		return 0
	fi
	for p in "$@"; do
		is_installed_deb "$p" || missing+=("$p")
	done
	((${#missing[@]} == 0)) && return 0
	if [[ "$(id -u)" -ne 0 || -n "${MEDIASOUP_NO_APT:-}" ]] || ! command -v apt-get >/dev/null 2>&1; then
		die "missing Debian packages: ${missing[*]} (as root: apt-get update && apt-get install -y --no-install-recommends ${missing[*]})"
	fi
	log "installing Debian packages: ${missing[*]}"
	if ((APT_UPDATED == 0)); then
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq ||
			die "apt-get update failed"
		APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install ${missing[*]} failed"
}

# ---------------------------------------------------------------------------
# Locate mediasoup.
# ---------------------------------------------------------------------------
command -v node >/dev/null 2>&1 || die "node not found in PATH"

MS_DIR="${MEDIASOUP_PACKAGE_DIR:-}"
if [[ -z "$MS_DIR" ]]; then
	MS_DIR="$(cd "$PROJECT_ROOT" && node -e '
		const path = require("node:path");
		try {
			const main = require.resolve("mediasoup", { paths: [process.cwd()] });
			console.log(path.resolve(path.dirname(main), "..", ".."));
		} catch (e) { process.exit(3); }
	' 2>/dev/null)" || die "the mediasoup package is not installed under $PROJECT_ROOT (run npm install first)"
fi
[[ -f "$MS_DIR/package.json" && -d "$MS_DIR/worker" ]] || die "no mediasoup package with a worker/ folder at $MS_DIR"
MS_VERSION="$(node -p 'const p = require(process.argv[1]); if (p.name !== "mediasoup") { process.exit(4) } p.version' "$MS_DIR/package.json")" ||
	die "$MS_DIR/package.json is not mediasoup's"
DEST_BIN="$MS_DIR/worker/out/Release/mediasoup-worker"
log "mediasoup $MS_VERSION at $MS_DIR"

# ---------------------------------------------------------------------------
# Cache key: mediasoup version + hash of every file in scripts/mediasoup/
# (+ machine/toolchain facts that change the binary).
# ---------------------------------------------------------------------------
OS_ID="unknown"
if [[ -r /etc/os-release ]]; then
	# shellcheck disable=SC1091
	OS_ID="$(. /etc/os-release && echo "${ID:-linux}-${VERSION_ID:-unknown}")"
fi
INPUTS_HASH="$(
	{
		printf 'mediasoup=%s\narch=%s\nos=%s\nmeson=%s\nninja=%s\nopenssl_request=%s\n' \
			"$MS_VERSION" "$(uname -m)" "$OS_ID" "$MESON_VERSION" "$NINJA_VERSION" "${MEDIASOUP_OPENSSL_VERSION:-newest}"
		(cd "$SCRIPT_DIR" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
	} | sha256sum | cut -c1-16
)"
CACHE_KEY="${MS_VERSION}-${INPUTS_HASH}"
USER_HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
CACHE_ROOT="${MEDIASOUP_WORKER_CACHE_DIR:-$USER_HOME/.cache/livecart/mediasoup-worker}"
CACHE_ENTRY="$CACHE_ROOT/$CACHE_KEY"
CACHED_BIN="$CACHE_ENTRY/mediasoup-worker"
mkdir -p "$CACHE_ROOT" || die "cannot create cache dir $CACHE_ROOT"
log "cache key $CACHE_KEY ($CACHE_ROOT)"

# A cache entry is valid when its binary matches the recorded sha256 and runs on this host
# (mediasoup-worker exits with 41 when started without MEDIASOUP_VERSION).
worker_runs_here() {
	local rc=0
	env -i "$1" >/dev/null 2>&1 || rc=$?
	[[ "$rc" -eq 41 ]]
}
cache_entry_ok() {
	[[ -f "$CACHED_BIN" && -f "$CACHE_ENTRY/sha256" ]] || return 1
	[[ "$(sha256_of "$CACHED_BIN")" == "$(cat "$CACHE_ENTRY/sha256")" ]] || return 1
	worker_runs_here "$CACHED_BIN"
}

# ---------------------------------------------------------------------------
# Build helpers (used on a cache miss only).
# ---------------------------------------------------------------------------
JOBS="${MEDIASOUP_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}"

# Sets MESON / NINJA_BIN: meson and ninja from the local pip index, in a private venv
# (falls back to `pip install --target`); never touches the system's Python.
ensure_meson() {
	local tools="$CACHE_ROOT/tools/meson-$MESON_VERSION-ninja-$NINJA_VERSION"
	local py venv="$tools/venv" target="$tools/target"
	if [[ -f "$tools/.complete" ]]; then
		if [[ -x "$venv/bin/meson" ]] && "$venv/bin/meson" --version >/dev/null 2>&1; then
			MESON="$venv/bin/meson" NINJA_BIN="$venv/bin/ninja"
			return 0
		fi
		if [[ -d "$target/mesonbuild" ]] && PYTHONPATH="$target" "$(cat "$tools/python")" -m mesonbuild.mesonmain --version >/dev/null 2>&1; then
			MESON="$tools/meson" NINJA_BIN="$target/bin/ninja"
			return 0
		fi
	fi
	rm -rf "$tools"
	mkdir -p "$tools"
	log "installing meson $MESON_VERSION + ninja $NINJA_VERSION with pip into $tools"
	for py in "$(command -v python3 || true)" /usr/bin/python3; do
		[[ -n "$py" && -x "$py" ]] || continue
		rm -rf "$venv"
		if "$py" -m venv "$venv" >>"$BUILD_LOG" 2>&1 &&
			"$venv/bin/python" -m pip install --disable-pip-version-check --retries 1 -q "meson==$MESON_VERSION" "ninja==$NINJA_VERSION" >>"$BUILD_LOG" 2>&1 &&
			"$venv/bin/meson" --version >/dev/null 2>&1; then
			MESON="$venv/bin/meson" NINJA_BIN="$venv/bin/ninja"
			touch "$tools/.complete"
			return 0
		fi
		rm -rf "$venv" "$target"
		if "$py" -m pip install --disable-pip-version-check --retries 1 -q --no-user --target "$target" "meson==$MESON_VERSION" "ninja==$NINJA_VERSION" >>"$BUILD_LOG" 2>&1; then
			echo "$py" >"$tools/python"
			# shellcheck disable=SC2016 # $PYTHONPATH / $@ belong to the generated script
			printf '#!/bin/sh\nPYTHONPATH="%s${PYTHONPATH:+:$PYTHONPATH}" exec "%s" -m mesonbuild.mesonmain "$@"\n' "$target" "$py" >"$tools/meson"
			chmod +x "$tools/meson"
			if "$tools/meson" --version >/dev/null 2>&1; then
				MESON="$tools/meson" NINJA_BIN="$target/bin/ninja"
				touch "$tools/.complete"
				return 0
			fi
		fi
	done
	if [[ "$(id -u)" -eq 0 && -z "${MEDIASOUP_NO_APT:-}" ]] && ! is_installed_deb python3-venv && command -v apt-get >/dev/null 2>&1; then
		ensure_debs python3-venv python3-pip
		ensure_meson
		return 0
	fi
	tail -n 20 "$BUILD_LOG" >&2 || true
	die "could not install meson==$MESON_VERSION ninja==$NINJA_VERSION with pip (is the local pip index configured?)"
}

# Sets OSSL_PREFIX / OSSL_VERSION: a static OpenSSL built from the upstream source tarball that
# Debian ships (apt-get source --download-only, private APT config with deb-src lines), cached
# under $CACHE_ROOT/openssl/ keyed by upstream version + tarball sha256 + recipe.
ensure_openssl() {
	local w="$BUILD_DIR/openssl-src" apt="$BUILD_DIR/openssl-src/apt" f deb_ver expected tarball sum key final stage
	mkdir -p "$apt/etc/sources.list.d" "$apt/etc/preferences.d" "$apt/lists/partial" "$apt/cache/archives/partial" "$w/dl"
	: >"$apt/etc/sources.list"
	# deb-src twins of the system's own Debian sources (deb822 and one-line formats).
	for f in /etc/apt/sources.list.d/*.sources; do
		if [[ -f "$f" ]]; then
			sed -E 's/^Types:.*/Types: deb-src/' "$f" >"$apt/etc/sources.list.d/$(basename "$f")"
		fi
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		if [[ -f "$f" ]]; then
			sed -nE 's/^[[:space:]]*deb[[:space:]]+/deb-src /p' "$f" >>"$apt/etc/sources.list"
		fi
	done
	cat >"$apt/apt.conf" <<EOF
Dir::Etc::SourceList "$apt/etc/sources.list";
Dir::Etc::SourceParts "$apt/etc/sources.list.d";
Dir::Etc::Preferences "$apt/etc/preferences";
Dir::Etc::PreferencesParts "$apt/etc/preferences.d";
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
	if [[ "$(id -u)" -eq 0 ]]; then
		echo 'APT::Sandbox::User "root";' >>"$apt/apt.conf"
	fi
	log "fetching Debian's OpenSSL source index (private APT config, deb-src)"
	# Some configured repositories may have no Sources index: tolerate, then check for openssl.
	APT_CONFIG="$apt/apt.conf" apt-get update -q >>"$BUILD_LOG" 2>&1 || warn "apt-get update (deb-src) reported errors, see $BUILD_LOG"
	if [[ -n "${MEDIASOUP_OPENSSL_VERSION:-}" ]]; then
		deb_ver="$MEDIASOUP_OPENSSL_VERSION"
	else
		deb_ver=""
		for f in $(APT_CONFIG="$apt/apt.conf" apt-cache showsrc openssl 2>/dev/null | awk '/^Package: openssl$/{p=1} /^Package:/ && $2!="openssl"{p=0} p && /^Version:/{print $2}'); do
			if [[ -z "$deb_ver" ]] || dpkg --compare-versions "$f" gt "$deb_ver"; then deb_ver="$f"; fi
		done
	fi
	[[ -n "$deb_ver" ]] || die "no openssl source package found in the Debian deb-src index (see $BUILD_LOG)"
	# sha256 of the .orig tarball from the (signed) Sources index.
	expected="" tarball=""
	read -r expected tarball < <(APT_CONFIG="$apt/apt.conf" apt-cache showsrc openssl 2>/dev/null | awk -v v="$deb_ver" '
		/^Package:/ {pkg=$2} /^Version:/ {ver=$2}
		/^[^ ]/ {sect=$1}
		sect=="Checksums-Sha256:" && /^ / && pkg=="openssl" && ver==v && $3 ~ /\.orig\.tar\.(gz|xz)$/ {print $1, $3; exit}') || true
	[[ -n "${expected:-}" && -n "${tarball:-}" ]] || die "openssl $deb_ver: no .orig tarball checksum in the Sources index"
	OSSL_VERSION="$(sed -E 's/^openssl_([^~+-]+).*\.orig\.tar\..*/\1/' <<<"$tarball")"
	key="$OSSL_VERSION-${expected:0:12}-$(printf '%s' "$OPENSSL_RECIPE" | sha256sum | cut -c1-8)"
	final="$CACHE_ROOT/openssl/$key"
	if [[ -f "$final/.complete" && -f "$final/lib/libssl.a" && -f "$final/lib/libcrypto.a" ]]; then
		log "static OpenSSL $OSSL_VERSION (Debian source $deb_ver) from cache: $final"
		OSSL_PREFIX="$final"
		return 0
	fi
	log "downloading OpenSSL source $deb_ver ($tarball) with apt-get source --download-only"
	# Only the upstream tarball is needed; Debian's .dsc/.debian.tar.xz may be unavailable.
	(cd "$w/dl" && APT_CONFIG="$apt/apt.conf" apt-get source --download-only -q "openssl=$deb_ver" >>"$BUILD_LOG" 2>&1) || true
	[[ -f "$w/dl/$tarball" ]] || die "apt-get source did not download $tarball (see $BUILD_LOG)"
	sum="$(sha256_of "$w/dl/$tarball")"
	[[ "$sum" == "$expected" ]] || die "$tarball sha256 $sum does not match the Debian Sources index ($expected)"
	log "building static OpenSSL $OSSL_VERSION (about 1.5 min on 2 cores)"
	mkdir -p "$w/src"
	run_logged "unpack OpenSSL" tar -xf "$w/dl/$tarball" -C "$w/src" --strip-components=1
	# shellcheck disable=SC2086
	(cd "$w/src" && run_logged "configure OpenSSL" ./config --prefix="$final" --libdir=lib --openssldir="$final/ssl" $OPENSSL_RECIPE)
	(cd "$w/src" && run_logged "build OpenSSL" make -j"$JOBS" build_libs)
	stage="$(mktemp -d "$CACHE_ROOT/.tmp-openssl.XXXXXX")"
	(cd "$w/src" && run_logged "install OpenSSL" make install_dev DESTDIR="$stage")
	[[ -f "$stage$final/lib/libssl.a" && -f "$stage$final/lib/libcrypto.a" ]] || die "OpenSSL install produced no static libraries"
	printf 'openssl %s\ndebian_source %s\ntarball %s\nsha256 %s\nrecipe %s\nbuilt %s\n' \
		"$OSSL_VERSION" "$deb_ver" "$tarball" "$expected" "$OPENSSL_RECIPE" "$(date -u +%FT%TZ)" >"$stage$final/.complete"
	mkdir -p "$CACHE_ROOT/openssl"
	rm -rf "$final"
	mv -T "$stage$final" "$final"
	rm -rf "$stage"
	OSSL_PREFIX="$final"
	log "static OpenSSL $OSSL_VERSION cached at $final ($(elapsed))"
}

build_worker() {
	local src="$BUILD_DIR/worker" shim name wrap dir bld="$BUILD_DIR/build" bin
	log "building mediasoup-worker $MS_VERSION (cache miss; about 5 min on 2 cores); log: $BUILD_LOG"
	ensure_meson
	log "meson $("$MESON" --version), ninja $("$NINJA_BIN" --version)"
	ensure_openssl

	# Private copy of the worker sources, with the offline subproject shims.
	mkdir -p "$src"
	(cd "$MS_DIR/worker" && tar --exclude=./out --exclude=./prebuild --exclude=./pip_invoke -cf - .) | (cd "$src" && tar -xf -)
	for shim in "$SCRIPT_DIR"/subprojects/*/; do
		name="$(basename "$shim")"
		wrap="$src/subprojects/$name.wrap"
		[[ -f "$wrap" ]] || die "mediasoup $MS_VERSION has no subprojects/$name.wrap: the shims need updating"
		dir="$(sed -nE 's/^[[:space:]]*directory[[:space:]]*=[[:space:]]*([^[:space:]]+).*/\1/p' "$wrap" | head -n1)"
		[[ -n "$dir" ]] || die "no 'directory =' line in $wrap"
		rm -rf "${src:?}/subprojects/$dir"
		cp -a "$shim" "$src/subprojects/$dir"
		log "subproject $name -> subprojects/$dir (offline shim)"
	done
	# Worker patches (scripts/mediasoup/patches/mediasoup-<version>-*.patch, paths
	# relative to the mediasoup package): each says why in its header. A patch
	# for this version that does not apply stops the build.
	local patchfile
	for patchfile in "$SCRIPT_DIR"/patches/mediasoup-"$MS_VERSION"-*.patch; do
		[[ -f "$patchfile" ]] || continue
		patch --batch --forward -p2 -d "$src" <"$patchfile" >>"$BUILD_LOG" 2>&1 \
			|| die "patch $(basename "$patchfile") does not apply to mediasoup $MS_VERSION (see $BUILD_LOG)"
		log "applied $(basename "$patchfile")"
	done
	for wrap in "$src"/subprojects/*.wrap; do
		name="$(basename "$wrap" .wrap)"
		case "$name" in catch2 | wingetopt) continue ;; esac # tests / Windows only
		[[ -d "$SCRIPT_DIR/subprojects/$name" ]] || warn "subproject $name has no offline shim (meson will fail if the worker needs it)"
	done

	PATH="$(dirname "$NINJA_BIN"):$PATH"
	export PATH
	(cd "$src" && run_logged "meson setup" "$MESON" setup \
		--wrap-mode=nodownload --buildtype=release -Db_ndebug=true \
		"-Dopenssl:static_prefix=$OSSL_PREFIX" "-Dopenssl:expected_version=$OSSL_VERSION" \
		"$bld")
	log "compiling (meson compile -j $JOBS); the libsrtp3 adapter test runs first"
	(cd "$src" && run_logged "meson compile" "$MESON" compile -C "$bld" -j "$JOBS" mediasoup-worker)
	bin="$bld/mediasoup-worker"
	[[ -x "$bin" ]] || die "the build produced no $bin"

	# Checks on the result.
	local srtp_log
	srtp_log="$(find "$bld" -name 'srtp3-compat-test.log' -print -quit)"
	if [[ -z "$srtp_log" ]] || ! grep -q ' 0 failed' "$srtp_log"; then
		die "the libsrtp3 adapter test did not pass (see $BUILD_LOG)"
	fi
	log "libsrtp3 adapter test: $(tail -n1 "$srtp_log")"
	local ldd_out
	ldd_out="$(ldd "$bin")"
	if grep -q 'not found' <<<"$ldd_out"; then
		printf '%s\n' "$ldd_out" >&2
		die "mediasoup-worker has unresolved shared libraries"
	fi
	if grep -Eq 'lib(ssl|crypto)\.so' <<<"$ldd_out"; then
		die "mediasoup-worker links a shared libssl/libcrypto; it must use the static OpenSSL"
	fi
	grep -aq "OpenSSL $OSSL_VERSION " "$bin" || die "mediasoup-worker does not contain OpenSSL $OSSL_VERSION"
	worker_runs_here "$bin" || die "the built mediasoup-worker does not start (expected exit code 41 without MEDIASOUP_VERSION)"
	BUILT_BIN="$bin"
}

store_in_cache() {
	local stage libs debs=() lib pkg
	stage="$(mktemp -d "$CACHE_ROOT/.tmp-worker.XXXXXX")"
	cp "$BUILT_BIN" "$stage/mediasoup-worker"
	chmod 755 "$stage/mediasoup-worker"
	sha256_of "$stage/mediasoup-worker" >"$stage/sha256"
	cp "$(find "$BUILD_DIR/build" -name 'srtp3-compat-test.log' -print -quit)" "$stage/srtp3-compat-test.log"
	# Debian packages providing the shared libraries the binary needs at run time.
	libs="$(ldd "$stage/mediasoup-worker" | awk '/=> \//{print $3}')"
	for lib in $libs; do
		pkg="$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | head -n1 | cut -d: -f1 || true)"
		if [[ -z "$pkg" ]]; then
			pkg="$(dpkg -S "$lib" 2>/dev/null | head -n1 | cut -d: -f1 || true)"
		fi
		if [[ -n "$pkg" ]]; then
			debs+=("$pkg")
		fi
	done
	printf '%s\n' "${debs[@]}" | sort -u >"$stage/runtime-debs"
	{
		echo "mediasoup $MS_VERSION"
		echo "cache_key $CACHE_KEY"
		echo "openssl $OSSL_VERSION (static, $OSSL_PREFIX)"
		echo "meson $("$MESON" --version) ninja $("$NINJA_BIN" --version)"
		for pkg in libuv1-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler libsrtp2-dev g++; do
			echo "deb $pkg $(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || echo '?')"
		done
		echo "built $(date -u +%FT%TZ) on $(uname -srm)"
		echo "runtime_libs"
		ldd "$stage/mediasoup-worker"
	} >"$stage/build-info.txt"
	rm -rf "$CACHE_ENTRY.old"
	if [[ -e "$CACHE_ENTRY" ]]; then
		mv -T "$CACHE_ENTRY" "$CACHE_ENTRY.old"
	fi
	mv -T "$stage" "$CACHE_ENTRY"
	rm -rf "$CACHE_ENTRY.old"
	log "stored in cache: $CACHE_ENTRY"
}

# ---------------------------------------------------------------------------
# Main.
# ---------------------------------------------------------------------------
# Run-time Debian packages of a cached binary (recorded at build time) come first, so that a
# cache copied from another machine is validated with its libraries present.
if [[ -z "${MEDIASOUP_WORKER_REBUILD:-}" && -s "$CACHE_ENTRY/runtime-debs" ]]; then
	mapfile -t RUNTIME_DEBS <"$CACHE_ENTRY/runtime-debs"
	ensure_debs "${RUNTIME_DEBS[@]}"
fi
if [[ -z "${MEDIASOUP_WORKER_REBUILD:-}" ]] && cache_entry_ok; then
	log "cache hit: $CACHED_BIN"
else
	# One build at a time per cache dir (parallel installs wait for it).
	exec 9>"$CACHE_ROOT/.build.lock"
	if ! flock -n 9; then
		log "another build holds $CACHE_ROOT/.build.lock; waiting for it"
		flock -w 3600 9 || die "timed out waiting for $CACHE_ROOT/.build.lock"
	fi
	if [[ -z "${MEDIASOUP_WORKER_REBUILD:-}" ]] && cache_entry_ok; then
		log "cache hit (built by another process): $CACHED_BIN"
	else
		if [[ -e "$CACHE_ENTRY" ]]; then
			warn "cache entry $CACHE_ENTRY is invalid or a rebuild was requested: rebuilding"
		fi
		rm -rf "$CACHE_ROOT"/.tmp-* # leftovers of interrupted builds (we hold the lock)
		ensure_debs "${BUILD_DEBS[@]}"
		mkdir -p "$CACHE_ROOT/logs"
		BUILD_LOG="$CACHE_ROOT/logs/build-$CACHE_KEY-$(date -u +%Y%m%dT%H%M%SZ).log"
		: >"$BUILD_LOG"
		BUILD_DIR="$(mktemp -d "${TMPDIR:-/tmp}/mediasoup-worker-build.XXXXXX")"
		if [[ -n "${MEDIASOUP_KEEP_BUILD_DIR:-}" ]]; then
			log "keeping build dir $BUILD_DIR"
		else
			trap 'rm -rf "$BUILD_DIR"' EXIT
		fi
		build_worker
		store_in_cache
		log "build finished in $(elapsed)"
	fi
	flock -u 9
	exec 9>&-
fi

LDD_OUT="$(ldd "$CACHED_BIN" 2>&1 || true)"
if grep -q 'not found' <<<"$LDD_OUT"; then
	printf '%s\n' "$LDD_OUT" >&2
	die "the cached mediasoup-worker has unresolved shared libraries on this machine"
fi

# Install into node_modules (atomic replace; nothing to do when identical).
if [[ -f "$DEST_BIN" ]] && cmp -s "$CACHED_BIN" "$DEST_BIN"; then
	log "already installed: $DEST_BIN"
else
	mkdir -p "$(dirname "$DEST_BIN")"
	cp "$CACHED_BIN" "$DEST_BIN.tmp.$$"
	chmod 755 "$DEST_BIN.tmp.$$"
	mv -f "$DEST_BIN.tmp.$$" "$DEST_BIN"
	log "installed: $DEST_BIN"
fi

# Node-side patches (scripts/mediasoup/patches/node/mediasoup-<version>-*.patch, paths
# relative to the mediasoup package): applied to the installed package, since npm
# installs it unpatched. Idempotent: a patch that already reverses cleanly is in place.
# They go with the worker patches (see each patch's header), so a failure stops here.
# --force, not --batch: --batch would take an unapplied patch tried with --reverse for
# a reversed one and flip it, so the check would always succeed.
for patchfile in "$SCRIPT_DIR"/patches/node/mediasoup-"$MS_VERSION"-*.patch; do
	[[ -f "$patchfile" ]] || continue
	if patch --dry-run --force --silent --reverse -p1 -d "$MS_DIR" <"$patchfile" >/dev/null 2>&1; then
		log "already applied: node/$(basename "$patchfile")"
	elif patch --dry-run --force --silent -p1 -d "$MS_DIR" <"$patchfile" >/dev/null 2>&1 &&
		patch --force --silent --no-backup-if-mismatch -p1 -d "$MS_DIR" <"$patchfile" >/dev/null 2>&1; then
		log "applied node/$(basename "$patchfile") to $MS_DIR"
	else
		die "node patch $(basename "$patchfile") does not apply to $MS_DIR (mediasoup $MS_VERSION modified?)"
	fi
done

# Smoke test: worker + router + WebRtcTransport on 127.0.0.1, then close.
if [[ -n "${MEDIASOUP_SKIP_SMOKE_TEST:-}" ]]; then
	log "smoke test skipped (MEDIASOUP_SKIP_SMOKE_TEST)"
else
	SMOKE_OUT="$(cd "$PROJECT_ROOT" && env -u MEDIASOUP_WORKER_BIN timeout 120 node "$SCRIPT_DIR/smoke-test.cjs" "$PROJECT_ROOT" 2>&1)" || {
		printf '%s\n' "$SMOKE_OUT" >&2
		die "smoke test failed"
	}
	log "smoke test ok: $(printf '%s\n' "$SMOKE_OUT" | tail -n1)"
fi
log "done in $(elapsed)"
