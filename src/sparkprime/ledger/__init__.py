"""The command journal: append, replay, snapshots; SQLite by default, PostgreSQL."""
