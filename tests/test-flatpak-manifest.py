#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Flatpak manifest cannot be built here (runtimes cannot be downloaded), so it is validated:
flatpak-builder must accept it, and it must agree with the project (app id, command, a GNOME
runtime whose GTK and libadwaita match the versions we pin, a verified archive for every
download). Output is TAP."""

import json
import subprocess
import sys

manifest_path, app_id, flatpak_builder = sys.argv[1:4]
checks = []


def check(name, condition):
    checks.append((name, bool(condition)))


shown = subprocess.run([flatpak_builder, "--show-manifest", manifest_path],
                       capture_output=True, text=True, check=False)
check("flatpak-builder accepts the manifest", shown.returncode == 0)
manifest = json.loads(shown.stdout) if shown.returncode == 0 else {}

check("app id is " + app_id, manifest.get("id") == app_id)
check("command is presign-guard", manifest.get("command") == "presign-guard")
# GNOME 43 ships GTK 4.8 and libadwaita 1.2, the versions the build pins.
check("runtime is GNOME 43", manifest.get("runtime") == "org.gnome.Platform"
      and manifest.get("runtime-version") == "43" and manifest.get("sdk") == "org.gnome.Sdk")
check("network access", "--share=network" in manifest.get("finish-args", []))
check("no home or host file system access",
      not any(arg.startswith("--filesystem=home") or arg.startswith("--filesystem=host")
              for arg in manifest.get("finish-args", [])))
modules = manifest.get("modules", [])
check("the app is the last module, built with meson",
      modules and modules[-1].get("name") == "presign-guard"
      and modules[-1].get("buildsystem") == "meson")
for module in modules:
    for source in module.get("sources", []):
        if source.get("type") in ("archive", "file"):
            check("%s download is pinned by sha256" % module.get("name"),
                  len(source.get("sha256", "")) == 64)

print("1..%d" % len(checks))
for number, (name, ok) in enumerate(checks, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", number, name))
if shown.returncode != 0:
    print("# " + shown.stderr.replace("\n", "\n# "))
sys.exit(0 if all(ok for _, ok in checks) else 1)
