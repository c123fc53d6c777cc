"""Entry point of the frozen Waypoint (PyInstaller's script): the same as `python -m app`.

`--self-test` is answered here as well, so an installed bundle can always prove itself, whatever the
command line in app/cli.py offers."""

import sys


def main() -> int:
    if sys.argv[1:] == ["--self-test"]:
        from app.self_test import run_self_test

        return run_self_test()
    from app.__main__ import main as app_main

    return app_main()


if __name__ == "__main__":
    sys.exit(main())
