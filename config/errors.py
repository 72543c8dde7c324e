"""The one error configuration problems are reported with."""


class SettingsError(Exception):
    """A configuration value is missing or malformed; names the variable to fix."""

    def __init__(self, variable: str, expected: str) -> None:
        super().__init__(variable, expected)
        self.variable = variable
        self.expected = expected

    def __str__(self) -> str:
        return f"{self.variable}: expected {self.expected}"
