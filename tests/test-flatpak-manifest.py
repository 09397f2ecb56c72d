#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Flatpak manifest cannot be built here (runtimes cannot be downloaded), so it is validated:
flatpak-builder must accept it, and it must agree with the project: app id, command, a GNOME
runtime that is still supported, the least privileges the app needs (and the reason for each in
README.md, "Flatpak permissions"), a verified archive for every download. Output is TAP."""

import json
import subprocess
import sys

manifest_path, app_id, flatpak_builder = sys.argv[1:4]

# GNOME runtimes that are end of life, with the date from Flathub's end-of-life notice ("The
# GNOME N runtime is no longer supported as of …", shown by `flatpak update` and by
# `flatpak remote-info flathub org.gnome.Platform//N`). Last checked: 2026-11-28. Every GNOME 3
# runtime (3.x) is end of life too; the minimum below keeps them out.
# 49 is not listed: no notice for it was found on that date, although by the dates below (a
# runtime ends about when the release two after it comes out) it ends in the autumn of 2026 with
# GNOME 51; the minimum keeps it out as well. When a new notice appears, add it here.
END_OF_LIFE = {
    "40": "2022-03-21",
    "41": "2022-09-17",
    "42": "2023-03-21",
    "43": "2023-09-20",
    "44": "2024-03-20",
    "45": "2024-09-18",
    "46": "2025-04-17",
    "47": "2025-10-15",
    "48": "2026-03-24",
}

# The oldest runtime the project supports. GNOME releases in March and September and Flathub
# keeps about the last two runtimes; on 2026-11-28 those are 50 (old stable) and 51 (stable).
# The code is pinned to the GTK 4.8 / libadwaita 1.2 API (the version macros in meson.build),
# so it builds against Debian 12 and against any newer runtime alike.
MINIMUM_RUNTIME = 50

# Exactly these, and no other --share, --socket, --device or --filesystem.
REQUIRED_FINISH_ARGS = [
    "--share=network",         # S3, STS
    "--share=ipc",             # X11 shared memory for fallback-x11
    "--socket=wayland",
    "--socket=fallback-x11",   # X11 only where there is no Wayland
    "--device=dri",            # GPU rendering
    "--filesystem=~/.aws:ro",  # "Import from AWS CLI profiles": config and credentials, read only
]

checks = []


def check(name, condition):
    checks.append((name, bool(condition)))


def version_key(version):
    """"51" → (51,), "3.38" → (3, 38); None when it is not a stable branch number."""
    try:
        return tuple(int(part) for part in version.split("."))
    except (AttributeError, ValueError):
        return None


shown = subprocess.run([flatpak_builder, "--show-manifest", manifest_path],
                       capture_output=True, text=True, check=False)
check("flatpak-builder accepts the manifest", shown.returncode == 0)
manifest = json.loads(shown.stdout) if shown.returncode == 0 else {}

check("app id is " + app_id, manifest.get("id") == app_id)
check("command is presign-guard", manifest.get("command") == "presign-guard")

runtime_version = manifest.get("runtime-version")
check("runtime is org.gnome.Platform and sdk is org.gnome.Sdk",
      manifest.get("runtime") == "org.gnome.Platform" and manifest.get("sdk") == "org.gnome.Sdk")
check("runtime-version %r is a stable GNOME branch (a number, not master or a beta)"
      % runtime_version,
      version_key(runtime_version) is not None)
check("runtime-version %r is not an end-of-life GNOME runtime" % runtime_version,
      runtime_version is not None and runtime_version not in END_OF_LIFE)
check("runtime-version %r is at least %d, the oldest the project supports"
      % (runtime_version, MINIMUM_RUNTIME),
      version_key(runtime_version) is not None
      and version_key(runtime_version) >= (MINIMUM_RUNTIME,))

finish_args = manifest.get("finish-args", [])
for arg in REQUIRED_FINISH_ARGS:
    if not arg.startswith("--filesystem="):
        check("finish-args has " + arg, arg in finish_args)
filesystems = [arg for arg in finish_args if arg.startswith("--filesystem=")]
check("~/.aws is shared read-only (--filesystem=~/.aws:ro)", "--filesystem=~/.aws:ro" in filesystems)
check("no file system access but ~/.aws (found: %s)" % (", ".join(filesystems) or "none"),
      filesystems == ["--filesystem=~/.aws:ro"])
check("no home or host file system access",
      not any(arg.split("=", 1)[1].split(":")[0].rstrip("/") in ("home", "~", "host", "host-os",
                                                                    "host-etc", "")
              for arg in filesystems))
check("no finish-args beyond the ones README.md explains",
      sorted(finish_args) == sorted(REQUIRED_FINISH_ARGS))
# Inside the sandbox libsecret keeps the keys in a file under the app's own data folder,
# encrypted with a key from the Secret portal (org.freedesktop.portal.Secret, always reachable);
# a hole to the Secret Service would let the app read every other application's secrets.
check("no --talk-name=org.freedesktop.secrets (secrets go through the Secret portal)",
      not any(arg.startswith("--talk-name=org.freedesktop.secrets") for arg in finish_args))
check("no whole session or system bus",
      not any(arg in ("--socket=session-bus", "--socket=system-bus") for arg in finish_args))

modules = manifest.get("modules", [])
check("the app is the last module, built with meson",
      modules and modules[-1].get("name") == "presign-guard"
      and modules[-1].get("buildsystem") == "meson")
check("libqrencode (not in the GNOME runtime) is built as a module",
      any(module.get("name") == "libqrencode" for module in modules))
for module in modules:
    for source in module.get("sources", []):
        kind = source.get("type")
        if kind in ("archive", "file"):
            sha256 = source.get("sha256", "")
            check("%s download is pinned by sha256" % module.get("name"),
                  len(sha256) == 64 and all(c in "0123456789abcdef" for c in sha256))
        elif kind == "git":
            check("%s git source is pinned by commit" % module.get("name"),
                  len(source.get("commit", "")) == 40)
        else:
            check("%s source is the project itself or a pinned download (type %s)"
                  % (module.get("name"), kind),
                  kind == "dir" and module.get("name") == "presign-guard")

print("1..%d" % len(checks))
for number, (name, ok) in enumerate(checks, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", number, name))
if shown.returncode != 0:
    print("# " + shown.stderr.replace("\n", "\n# "))
sys.exit(0 if all(ok for _, ok in checks) else 1)
