"""Bot scopes, least privilege; a test keeps this equal to `manifest.yml`.

Kept in code too because OAuth installs and `doctor` need them where no manifest file is.
"""

BOT_SCOPES: tuple[str, ...] = (
    "channels:history",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "im:history",
    "im:write",
    "users:read",
)
