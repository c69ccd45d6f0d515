"""Lets `python -m course` run the same command line as `tillit`."""

from course.cli.main import main

raise SystemExit(main())
