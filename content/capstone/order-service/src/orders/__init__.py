"""A small order service: a CLI, a REST API, SQL storage and a Redis cache."""

__version__ = "0.1.0"
