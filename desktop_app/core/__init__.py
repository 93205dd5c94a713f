"""Qt-free core: models, API client, live sync, store, secrets. Never import PySide6 here."""
