"""Qt widgets, item models and the sealed message view."""
