"""Run several Python solution scripts in one interpreter: ``python -m gailab.labs.runscripts`` reads a JSON list
of ``{"script", "cwd", "env"}`` on stdin and runs each as ``__main__``, in order, with its own environment changes.

One interpreter and one boto3 for a lab's whole prerequisite chain: starting Python and creating boto3's first
client cost far more than most solutions' own calls (``gailab grade --fresh`` and ``lab validate`` run chains of
four or five). A failing script stops the run: exit 1, its traceback on stderr after a line naming it.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import traceback

FAILED = "gailab-runscripts: failed: "


def main() -> int:
    items = json.load(sys.stdin)
    base = dict(os.environ)
    for item in items:
        script = item["script"]
        os.environ.clear()
        os.environ.update(base)
        os.environ.update(item.get("env") or {})
        if item.get("cwd"):
            os.makedirs(item["cwd"], exist_ok=True)
            os.chdir(item["cwd"])
        sys.argv = [script]
        try:
            runpy.run_path(script, run_name="__main__")
        except SystemExit as exc:
            if exc.code not in (None, 0):
                print(f"{FAILED}{script} exited with {exc.code}", file=sys.stderr)
                return 1
        except BaseException:
            print(f"{FAILED}{script}", file=sys.stderr)
            traceback.print_exc()
            return 1
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
