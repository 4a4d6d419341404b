"""`handoutkit ARGS`, exactly as the console script runs it, then a probe for bench/run.py.

After the command, a line `@@probe {...}` on stdout says whether this process imported
WeasyPrint and whether it started the worker forkserver (a no-op rebuild must do neither).
"""

import json
import sys


def probed_main() -> None:
    from handoutkit.cli import main

    sys.argv = ["handoutkit", *sys.argv[1:]]
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    finally:
        forkserver = sys.modules.get("multiprocessing.forkserver")
        probe = {
            "weasyprint": "weasyprint" in sys.modules,
            "forkserver": bool(forkserver and forkserver._forkserver._forkserver_pid is not None),
            "handoutkit": sys.modules["handoutkit"].__file__,
        }
        sys.stdout.flush()
        print("\n@@probe " + json.dumps(probe), flush=True)
    sys.exit(code)


if __name__ == "__main__":  # the worker forkserver imports this module again
    probed_main()
