"""``python -m nntui``: the same as the ``nntui`` command."""

from nntui.cli.main import main

raise SystemExit(main())
