"""Storage: SQLModel tables and every SQL statement of the project."""
