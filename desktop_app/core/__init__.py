"""Qt-free core: ``inbox.Inbox`` is the one door; behind it the jobs, each a sub-package or module
(``api``, ``live``, ``store``, ``codes``, ``sealed``, ``accounts``, ``sync``, ``notice``, ``health``).
Never import PySide6 here (tests/test_architecture.py); docs/architecture.md draws the parts."""
