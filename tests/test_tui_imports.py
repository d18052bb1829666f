"""The rooms rule: gailab.simulator and gailab.labs never import Textual (checked in a clean interpreter)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_simulator_and_labs_never_import_textual():
    code = textwrap.dedent("""
        import importlib, importlib.util, pkgutil, sys
        import gailab.simulator, gailab.labs
        names, scripts = [], []
        for package in (gailab.simulator, gailab.labs):
            for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
                try:
                    importlib.import_module(info.name)
                except Exception:  # a script run by path (e.g. the Lambda worker): read its imports instead
                    source = open(importlib.util.find_spec(info.name).origin).read()
                    assert "textual" not in source, info.name
                    scripts.append(info.name)
                    continue
                names.append(info.name)
        leaked = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual.") or m == "rich")
        print(len(names))
        print(",".join(leaked))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    count, leaked = out.stdout.strip().split("\n") + [""] * (2 - len(out.stdout.strip().split("\n")))
    assert int(count) >= 20  # every module of both packages was imported
    assert leaked == "", f"textual imported by the simulator or labs: {leaked}"


def test_the_app_imports_without_starting_anything():
    code = "import gailab.tui.app, sys; print('boto3' in sys.modules, 'sqlmodel' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]  # heavy libraries load in workers, after the first frame
