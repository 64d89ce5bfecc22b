#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisis_tracker.settings")
    from django.core.management import execute_from_command_line

    from crisis_tracker import collector

    collector.tune()  # an import or a dry run builds millions of short-lived objects
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
