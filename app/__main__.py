"""`python -m app` and the `waypoint` command: the CLI decides whether to start the GUI."""

import sys


def main() -> int:
    from app.cli import main as cli_main

    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
