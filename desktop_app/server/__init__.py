"""The embedded, mail.tm-compatible local mail service (REST + Mercure hub + SMTP intake)."""
