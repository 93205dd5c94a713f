"""The frozen app's entry point: the same ``desktop_app.cli.main`` as the ``temp-inbox`` script.

A command that finds no running instance starts one as ``sys.executable -m desktop_app …``. In the
frozen build ``sys.executable`` is the ``temp-inbox`` binary itself, which has no ``-m``: it takes
those two words as the request to run ``desktop_app``, which is all it ever runs.
"""

import sys

if sys.argv[1:3] == ["-m", "desktop_app"]:
    del sys.argv[1:3]

from desktop_app.cli import main

sys.exit(main())
