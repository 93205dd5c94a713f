"""Qt-free glue to the desktop the app runs on, under strict typing like the core.

dbus_notify   freedesktop notifications over D-Bus (jeepney), with action buttons
platform_env  the process environment Chromium needs, set before Qt is imported
"""
