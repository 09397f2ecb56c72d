#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The Flatpak, built from flatpak/'s manifest and tried in its sandbox, against the local Ceph
# RADOS Gateway of PG_TEST_S3_ENDPOINT (tests/with-s3-server.sh starts one). Output is TAP.
#
# The GNOME runtime cannot be downloaded here, so the manifest is built against a stand-in
# made from Debian 12's own packages (org.debian.Platform and org.debian.Sdk, branch 12,
# made with mmdebstrap); the lane swaps only the runtime, the SDK and the one source it
# cannot download (qrencode, from Debian's source package) and checks that nothing else of
# the manifest changed. Then, with the app installed under a HOME of the lane's own:
#
#   - the window shows; the app's own keyring code stores the demo account's keys through the
#     Secret portal (libsecret's file backend inside the sandbox, keyed by the desktop
#     keyring), and after a new login session the app, started plainly, reads them back and
#     lists the bucket with them (seen in the gateway's ops log);
#   - a link is made inside the sandbox and revoked there ("verified"), and answers 200 and
#     then 403 to the host;
#   - ~/.aws is visible read-only, nothing else of HOME is; the network reaches 127.0.0.1,
#     and does not with --unshare=network; org.freedesktop.secrets is out of reach;
#   - a release bundle, presign-guard.flatpak, is written next to the build.
#
# Not proven here: the real GNOME runtime (newer GTK and libadwaita), Wayland, a GPU, the
# file-chooser and notification portals, the upstream qrencode URL and checksum.
#
# Needs root (mmdebstrap --mode=root) and bubblewrap; skipped without them. Run alone with
# `meson test -C build --suite sandbox`; the first run makes the runtime (about 5 minutes,
# 3 GB under BUILD/sandbox), later runs reuse it.
#
#   test-flatpak-sandbox.sh SOURCE_ROOT BUILD_ROOT
set -uo pipefail

SRC=$(cd "$1" && pwd)
BUILD=$(cd "$2" && pwd)
WORK=$BUILD/sandbox
APP=io.github.presignguard.PresignGuard
MANIFEST=flatpak/$APP.json
SIGNER_ARN=arn:aws:iam:::user/owner:presign
T0=$(date +%s)

count=0
failed=0
ok() { count=$((count + 1)); echo "ok $count - $*"; }
not_ok() { count=$((count + 1)); failed=$((failed + 1)); echo "not ok $count - $*"; }
note() { echo "# [$(( $(date +%s) - T0 ))s] $*"; }
check() {  # check DESCRIPTION COMMAND...: ok when the command succeeds
  local what=$1
  shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
bail() { echo "Bail out! $*"; exit 1; }

# ---- Can this machine do it at all? --------------------------------------------------------

[ "$(id -u)" -eq 0 ] || skip_all "not root: mmdebstrap --mode=root makes the stand-in runtime"
command -v bwrap >/dev/null || skip_all "no bubblewrap"
bwrap --unshare-all --ro-bind / / --proc /proc --dev /dev true 2>/dev/null \
  || skip_all "bubblewrap cannot make a sandbox here"
missing=()
for tool in flatpak flatpak-builder mmdebstrap ostree xvfb-run dbus-run-session \
    gnome-keyring-daemon secret-tool xwininfo import eu-strip curl python3; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] || skip_all "missing: ${missing[*]} (.ci/install-deps installs them)"
[ -n "${PG_TEST_S3_ENDPOINT:-}" ] || bail "PG_TEST_S3_ENDPOINT is not set (tests/with-s3-server.sh)"
[ -n "${PG_TEST_OPS_LOG:-}" ] || bail "PG_TEST_OPS_LOG is not set (tests/with-s3-server.sh)"

# The Debian archive this machine's apt uses.
apt_uri() {
  grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' \
    | grep -E "$1\$" | head -n 1
}
MIRROR=${MIRROR:-$(apt_uri /debian)}
SECURITY=${SECURITY:-$(apt_uri /debian-security)}
if [ -z "$MIRROR" ] && [ -r /etc/apt/sources.list ]; then
  MIRROR=$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list)
  SECURITY=$(awk '$1 == "deb" && $3 ~ /security/ {print $2; exit}' /etc/apt/sources.list)
fi
[ -n "$MIRROR" ] || skip_all "no Debian archive in apt's sources"

# Everything of the lane lives under WORK; the real HOME and flatpak installation are not
# touched. HOME starts empty every run (the installation lives beside it).
rm -rf "$WORK/home" "$WORK/shots" "$WORK/xdg-run"
mkdir -p "$WORK"/{home,xdg-run,shots}
chmod 700 "$WORK/xdg-run"
export HOME=$WORK/home FLATPAK_USER_DIR=$WORK/flatpak-user XDG_RUNTIME_DIR=$WORK/xdg-run
unset XDG_DATA_HOME XDG_CONFIG_HOME XDG_CACHE_HOME DBUS_SESSION_BUS_ADDRESS DISPLAY \
  WAYLAND_DISPLAY G_DEBUG

# ---- The stand-in runtime and SDK ------------------------------------------------------------

PLATFORM_PKGS="libgtk-4-1 libgtk-4-bin libadwaita-1-0 libsoup-3.0-0 libjson-glib-1.0-0
  libsecret-1-0 libssl3 glib-networking ca-certificates gsettings-desktop-schemas
  adwaita-icon-theme hicolor-icon-theme fonts-cantarell fonts-dejavu-core fontconfig
  shared-mime-info librsvg2-common libglib2.0-bin libgl1-mesa-dri libegl1 libgl1
  libsecret-tools"
SDK_PKGS="$PLATFORM_PKGS meson ninja-build pkg-config gcc libc6-dev make gettext appstream
  appstream-util desktop-file-utils libxml2-utils libglib2.0-dev libglib2.0-dev-bin libgtk-4-dev
  libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev libsecret-1-dev libssl-dev"
csv() { echo $1 | tr ' ' ','; }
sources=("deb $MIRROR bookworm main" "deb $MIRROR bookworm-updates main")
[ -n "$SECURITY" ] && sources+=("deb $SECURITY bookworm-security main")

# Flatpak runs the runtime's bin/ldconfig with its etc/ld.so.conf: Debian's has neither
# bin/ldconfig nor /app/lib, and the app's own libqrencode would not be found.
make_runtime() {  # NAME ROOTFS OUT
  local name=$1 root=$2 out=$3
  rm -rf "$out"
  mkdir -p "$out"
  cp -al "$root/usr" "$out/files"
  cp -a "$root/etc" "$out/files/etc"
  ln -s ../sbin/ldconfig "$out/files/bin/ldconfig"
  rm -f "$out/files/etc/ld.so.conf"
  printf '%s\n' 'include /run/flatpak/ld.so.conf.d/app-*.conf' 'include /app/etc/ld.so.conf' \
    '/app/lib' 'include /run/flatpak/ld.so.conf.d/runtime-*.conf' \
    'include /etc/ld.so.conf.d/*.conf' > "$out/files/etc/ld.so.conf"
  printf '[Runtime]\nname=%s\nruntime=org.debian.Platform/x86_64/12\nsdk=org.debian.Sdk/x86_64/12\n' \
    "$name" > "$out/metadata"
}

# Made once, kept for later runs as long as its package lists stay the same.
made_of=$(echo $PLATFORM_PKGS / $SDK_PKGS)
if [ "$(cat "$WORK/runtime-packages" 2>/dev/null)" = "$made_of" ] \
    && flatpak --user info org.debian.Sdk//12 >/dev/null 2>&1 \
    && flatpak --user info org.debian.Platform//12 >/dev/null 2>&1; then
  ok "stand-in runtime and SDK already installed (kept from an earlier run under $WORK)"
else
  note "making the stand-in runtime from Debian 12's packages"
  rm -rf "$WORK"/{debs,sdk-root,platform-root,rt-repo,rt-platform,rt-sdk,flatpak-user}
  mkdir -p "$WORK/debs"
  if mmdebstrap --quiet --variant=essential --mode=root --include="$(csv "$SDK_PKGS")" \
       --skip=download/empty --customize-hook="sync-out /var/cache/apt/archives $WORK/debs" \
       bookworm "$WORK/sdk-root" "${sources[@]}" > "$WORK/mmdebstrap.log" 2>&1 \
     && mmdebstrap --quiet --variant=essential --mode=root --include="$(csv "$PLATFORM_PKGS")" \
       --setup-hook='mkdir -p "$1"/var/cache/apt/archives' \
       --setup-hook="sync-in $WORK/debs /var/cache/apt/archives" \
       bookworm "$WORK/platform-root" "${sources[@]}" >> "$WORK/mmdebstrap.log" 2>&1; then
    make_runtime org.debian.Platform "$WORK/platform-root" "$WORK/rt-platform"
    make_runtime org.debian.Sdk "$WORK/sdk-root" "$WORK/rt-sdk"
    # bare-user-only: no compression, about four times faster to export than an archive repo.
    ostree init --repo="$WORK/rt-repo" --mode=bare-user-only
    flatpak build-export --runtime --files=files --disable-sandbox "$WORK/rt-repo" \
      "$WORK/rt-platform" 12 >/dev/null
    flatpak build-export --runtime --files=files --disable-sandbox "$WORK/rt-repo" \
      "$WORK/rt-sdk" 12 >/dev/null
    flatpak build-update-repo "$WORK/rt-repo" >/dev/null
    flatpak --user remote-add --if-not-exists --no-gpg-verify debian-standin "file://$WORK/rt-repo"
    flatpak --user install -y --noninteractive debian-standin org.debian.Platform//12 \
      org.debian.Sdk//12 >/dev/null
    rm -rf "$WORK/sdk-root" "$WORK/platform-root" "$WORK/rt-platform" "$WORK/rt-sdk"
    echo "$made_of" > "$WORK/runtime-packages"
  fi
  check "stand-in runtime and SDK made from Debian 12 and installed" \
    flatpak --user info org.debian.Platform//12
fi
flatpak --user info org.debian.Platform//12 >/dev/null 2>&1 \
  || { sed 's/^/# /' "$WORK/mmdebstrap.log" | tail -30; bail "no runtime to build against"; }

# ---- The manifest, built ---------------------------------------------------------------------

note "copying the sources and swapping runtime, SDK and the qrencode source"
rm -rf "$WORK/src"
mkdir -p "$WORK/src"
git -C "$SRC" ls-files -z -co --exclude-standard \
  | tar -C "$SRC" --null -T - -cf - | tar -C "$WORK/src" -xf -
mkdir -p "$WORK/apt-src/lists/partial"
echo "deb-src $MIRROR bookworm main" > "$WORK/apt-src/sources.list"
aptsrc=(-o Dir::Etc::sourcelist="$WORK/apt-src/sources.list" -o Dir::Etc::sourceparts=-
        -o Dir::State::lists="$WORK/apt-src/lists" -o APT::Sandbox::User=root)
apt-get -qq "${aptsrc[@]}" update >/dev/null 2>&1
(cd "$WORK/src/flatpak" && apt-get -qq "${aptsrc[@]}" source --download-only qrencode \
  >/dev/null 2>&1)
orig=$(cd "$WORK/src/flatpak" && ls qrencode_*.orig.tar.* 2>/dev/null | head -n 1)
[ -n "$orig" ] || bail "Debian's qrencode source could not be downloaded"
python3 "$SRC/tests/sandbox/lane.py" swap "$WORK/src/$MANIFEST" \
  "$WORK/src/flatpak/$APP.debian.json" "$orig"
check "only runtime, SDK and the qrencode source differ from the published manifest" \
  python3 "$SRC/tests/sandbox/lane.py" compare "$WORK/src/$MANIFEST" \
  "$WORK/src/flatpak/$APP.debian.json"

note "flatpak-builder"
if (cd "$WORK/src" && flatpak-builder --user --disable-rofiles-fuse --force-clean \
      --state-dir="$WORK/fb-state" --repo="$WORK/app-repo" "$WORK/app-build" \
      "flatpak/$APP.debian.json" > "$WORK/flatpak-builder.log" 2>&1); then
  ok "flatpak-builder built the manifest"
else
  not_ok "flatpak-builder built the manifest"
  tail -40 "$WORK/flatpak-builder.log" | sed 's/^/# /'
  bail "nothing to install"
fi
flatpak --user remote-add --if-not-exists --no-gpg-verify pg-local "file://$WORK/app-repo"
flatpak --user install -y --noninteractive --reinstall pg-local "$APP" >/dev/null 2>&1
check "the app is installed" flatpak --user info "$APP"
flatpak --user info --show-permissions "$APP" | sed 's/^/#   /'

# The release bundle, as an office would install it (next to the runtime it targets).
rm -f "$BUILD/presign-guard.flatpak"
flatpak build-bundle "$WORK/app-repo" "$BUILD/presign-guard.flatpak" "$APP" >/dev/null 2>&1
check "release bundle written: presign-guard.flatpak ($(du -h "$BUILD/presign-guard.flatpak" 2>/dev/null | cut -f1))" \
  test -s "$BUILD/presign-guard.flatpak"

# ---- In the sandbox ---------------------------------------------------------------------------

bucket=sandbox-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
keys=(--env=AWS_ACCESS_KEY_ID=OWNERKEY --env=AWS_SECRET_ACCESS_KEY=OWNERSECRET
      --env=PG_SIGNER_ACCESS_KEY_ID=PRESIGNKEY --env=PG_SIGNER_SECRET_ACCESS_KEY=PRESIGNSECRET)
common=(--endpoint "$PG_TEST_S3_ENDPOINT" --path-style --region us-east-1 --timeout 20)
cli() { timeout 120 flatpak run --command=presign-guard-cli "${keys[@]}" "$APP" "$@"; }

# ~/.aws with two profiles, and things of HOME the sandbox must not see.
mkdir -p "$HOME/.aws" "$HOME/Documents"
printf '[default]\naws_access_key_id = AKIAFROMAWSDIR\naws_secret_access_key = x\n[second]\naws_access_key_id = AKIASECOND\naws_secret_access_key = y\n' \
  > "$HOME/.aws/credentials"
printf '[default]\nregion = eu-west-1\n' > "$HOME/.aws/config"
echo top-secret > "$HOME/Documents/private.txt"
echo 'alias x=y' > "$HOME/.bashrc"

out=$(cli mb "${common[@]}" --bucket "$bucket" 2>&1)
check "network: presign-guard-cli in the sandbox made bucket $bucket on the host's 127.0.0.1 ($out)" \
  test "$out" = "created $bucket"
# A file to share, uploaded from the sandbox too (the tool sees only what is shared with it:
# its own data folder).
mkdir -p "$HOME/.var/app/$APP/data"
printf 'Quarterly report\n' > "$HOME/.var/app/$APP/data/report.pdf"
cli upload /var/data/report.pdf "${common[@]}" --bucket "$bucket" --key report.pdf \
  >/dev/null 2>&1
check "a file uploaded from the sandbox's own data folder" test $? -eq 0
out=$(timeout 60 flatpak run --unshare=network --command=presign-guard-cli "${keys[@]}" "$APP" \
      ls "${common[@]}" --timeout 5 --bucket "$bucket" 2>&1)
check "control: with --unshare=network the same tool cannot reach the gateway" test $? -ne 0

# A link made and revoked inside the sandbox; the host sees its answers.
status() { curl -s -o /dev/null -w '%{http_code}' "$1"; }
url=$(cli presign "${common[@]}" --signer --method GET --bucket "$bucket" --key report.pdf \
      --expires 900 2> "$WORK/presign.err" | tail -n 1)
[ -n "$url" ] || sed 's/^/# presign: /' "$WORK/presign.err"
check "a link made in the sandbox works from the host (200)" test "$(status "$url")" = 200
out=$(cli revoke "${common[@]}" --signer-arn "$SIGNER_ARN" --url "$url" 2>&1 | tail -n 1)
check "revoked in the sandbox: \"$out\", and the host gets 403" \
  test "$out" = verified -a "$(status "$url")" = 403
cli unrevoke "${common[@]}" --signer-arn "$SIGNER_ARN" --url "$url" >/dev/null 2>&1
check "restored in the sandbox: the host gets 200 again" test "$(status "$url")" = 200

# HOME, as the sandbox sees it.
out=$(timeout 60 flatpak run --command=sh "$APP" -c 'ls -A "$HOME" | tr "\n" " "')
check "HOME in the sandbox holds only: $out" test "$out" = ".aws .var "
out=$(timeout 60 flatpak run --command=sh "$APP" -c 'grep -c aws_access_key_id "$HOME/.aws/credentials"')
check "~/.aws/credentials readable in the sandbox ($out profiles)" test "$out" = 2
config_before=$(cat "$HOME/.aws/config")
timeout 60 flatpak run --command=sh "$APP" -c 'touch "$HOME/.aws/new"; echo x >> "$HOME/.aws/config"' \
  >/dev/null 2>&1
check "~/.aws is read-only in the sandbox" \
  test ! -e "$HOME/.aws/new" -a "$(cat "$HOME/.aws/config")" = "$config_before"
out=$(timeout 60 flatpak run --command=sh "$APP" -c 'cat "$HOME/Documents/private.txt" "$HOME/.bashrc" 2>&1')
seen=no
grep -q -e top-secret -e alias <<< "$out" && seen=yes
check "~/Documents and ~/.bashrc are not visible" test "$seen" = no

# The app itself, under a virtual X server, a session bus and an unlocked desktop keyring.
# PHASE first: the demo profile makes the account and stores its keys with the app's own
# keyring code. PHASE again: a new session ("log in again"); the app, started plainly, must
# read the keys back from its keyring to list the bucket.
cat > "$WORK/inner.sh" <<'INNER'
#!/bin/bash
set -u
phase=$1
printf lane-password | gnome-keyring-daemon --foreground --unlock --components=secrets \
  > "$WORK/keyring-$phase.log" 2>&1 &
keyring=$!
trap 'kill $keyring 2>/dev/null' EXIT
for i in $(seq 40); do
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null \
    | grep -q true && break
  sleep 0.25
done
app_env=(--env=GSETTINGS_BACKEND=memory --env=LANGUAGE=C --env=G_MESSAGES_DEBUG=pg-application)
if [ "$phase" = first ]; then
  app_env+=(--env=PRESIGN_GUARD_DEMO_ENDPOINT="$PG_TEST_S3_ENDPOINT"
            --env=PRESIGN_GUARD_DEMO_BUCKET="$BUCKET"
            --env=PRESIGN_GUARD_DEMO_MANAGER_KEY=OWNERKEY
            --env=PRESIGN_GUARD_DEMO_MANAGER_SECRET=OWNERSECRET
            --env=PRESIGN_GUARD_DEMO_SIGNER_KEY=PRESIGNKEY
            --env=PRESIGN_GUARD_DEMO_SIGNER_SECRET=PRESIGNSECRET
            --env=PRESIGN_GUARD_DEMO_SIGNER_ARN="$SIGNER_ARN")
fi
flatpak run "${app_env[@]}" "$APP" > "$WORK/app-$phase.log" 2>&1 &
app=$!
for i in $(seq 40); do
  xwininfo -root -tree 2>/dev/null | grep -q '"Presign Guard"' && break
  sleep 0.5
done
sleep "$SETTLE"
if xwininfo -root -tree | grep -q '"Presign Guard"' \
   && flatpak ps --columns=application | grep -q "$APP"; then
  echo "WINDOW yes"
else
  echo "WINDOW no"
fi
import -window root "$WORK/shots/$phase.png" 2>/dev/null
# libsecret in the sandbox, through the Secret portal, as any app of the runtime uses it.
if [ "$phase" = first ]; then
  printf lane-secret-value | timeout 60 flatpak run --command=secret-tool "$APP" store \
    --label="lane probe" probe lane
fi
# Once in six runs the first lookup of a new session came back empty (the desktop keyring
# still loading?): up to three tries, and how many it took is shown.
for try in 1 2 3; do
  found=$(timeout 60 flatpak run --command=secret-tool "$APP" lookup probe lane)
  [ -n "$found" ] && break
  sleep 2
done
echo "LOOKUP $found"
echo "LOOKUP-TRIES $try"
out=$(timeout 60 flatpak run --command=gdbus "$APP" call --session --dest org.freedesktop.secrets \
  --object-path /org/freedesktop/secrets --method org.freedesktop.DBus.Peer.Ping 2>&1)
echo "SECRETS $out" | head -n 1
kill "$app" 2>/dev/null
wait "$app" 2>/dev/null
INNER
chmod +x "$WORK/inner.sh"
export WORK APP SIGNER_ARN PG_TEST_S3_ENDPOINT BUCKET=$bucket XDG_CURRENT_DESKTOP=GNOME SETTLE=8

note "the app, first start in the demo profile"
first=$(xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$WORK/inner.sh" first \
        2> "$WORK/inner-first.err")
echo "$first" | sed 's/^/#   /'
check "the sandboxed app shows its window (screenshot: sandbox/shots/first.png)" \
  grep -q 'WINDOW yes' <<< "$first"
accounts=$HOME/.var/app/$APP/config/presign-guard/accounts.ini
keyring=$HOME/.var/app/$APP/data/keyrings/default.keyring
stored=no
grep -q 'LOOKUP lane-secret-value' <<< "$first" && test -s "$keyring" \
  && ! grep -q lane-secret-value "$keyring" && stored=yes
check "libsecret in the sandbox stores a secret through the Secret portal and reads it back, in ~/.var/app/$APP/data/keyrings ($(stat -c %s "$keyring" 2>/dev/null) bytes, not in clear)" \
  test "$stored" = yes
check "the app's keyring code stored the demo account's keys, and then its account (~/.var/app/$APP/config)" \
  grep -q "$bucket" "$accounts"
clear=no
grep -r -q -e OWNERSECRET -e PRESIGNSECRET "$HOME/.var/app/$APP" && clear=yes
check "no secret of the account in clear in the sandbox's folders" test "$clear" = no
check "the sandbox cannot talk to org.freedesktop.secrets itself" \
  grep -q 'ServiceUnknown\|not provided\|was not provided' <<< "$first"

note "the app again, in a new session, started plainly"
logged_before=$(wc -l < "$PG_TEST_OPS_LOG")
again_since=$(date +%s)
again=$(xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$WORK/inner.sh" again \
        2> "$WORK/inner-again.err")
echo "$again" | sed 's/^/#   /'
check "the window shows again (screenshot: sandbox/shots/again.png)" grep -q 'WINDOW yes' <<< "$again"
check "in the new session, libsecret in the sandbox reads its secret back (the file's key from the portal)" \
  grep -q 'LOOKUP lane-secret-value' <<< "$again"
listed=$(python3 "$SRC/tests/sandbox/lane.py" signed-lists "$PG_TEST_OPS_LOG" \
         "$((logged_before > 50 ? logged_before - 50 : 1))" "$again_since" "$bucket" OWNERKEY)
check "after a new login the app read its keys back from the keyring and listed the bucket ($listed signed requests of the managing key answered 200)" \
  test "${listed:-0}" -gt 0

for shot in "$WORK"/shots/*.png; do
  [ -s "$shot" ] && note "screenshot $(basename "$shot"): $(identify -format '%wx%h' "$shot" 2>/dev/null) $(du -h "$shot" | cut -f1)"
done
note "done in $(( $(date +%s) - T0 )) s; $(du -sh "$WORK" 2>/dev/null | cut -f1) under $WORK"
echo "1..$count"
[ "$failed" -eq 0 ]
