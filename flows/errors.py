"""Exceptions of flows/.

FlowsError
├── CatalogueError   a materials catalogue is invalid
├── ServiceUnavailable  an adapter a flow relies on (SMS gateway …) could not do its part
└── RuleViolation    a filing rule refuses a request (carries the rule and its citation)
"""


class FlowsError(Exception):
    """Base of every error raised by flows/."""


class CatalogueError(FlowsError):
    """materials.yaml could not be read."""


class ServiceUnavailable(FlowsError):
    """An adapter (SMS gateway, registry) failed; the person is asked to try again later."""


class RuleViolation(FlowsError):
    """A domain rule refused the request."""

    def __init__(self, rule: str, citation: str, **context: object) -> None:
        super().__init__(f"{rule} ({citation})")
        self.rule = rule
        self.citation = citation
        self.context = context
