"""The roster: who is in which working group, with their profiles (read side)."""

from storage.database import Database


class RosterRepository:
    """Queries over people and group members for rosters, search and export."""

    def __init__(self, db: Database) -> None:
        self._db = db
