"""One Temp Inbox per data directory, and what a later launch asks of it.

    lock      the claim on the data directory, taken before anything slow (Qt-free: the command line
              checks it before Qt is imported)
    ipc       the local socket: one JSON request per line, one answer (progress lines before it)
    forward   a launch that finds the directory claimed hands itself to the instance holding it
    commands  what the running instance does for each request (over the ``Inbox``)

Nothing is imported here: ``lock`` must stay importable without Qt.
"""
