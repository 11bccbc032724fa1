"""The one exception root of the storage layer. No HTTP here: callers map these to statuses."""

from __future__ import annotations


class StoreError(Exception):
    """Root of every error raised by :mod:`repo_store`."""


class RepositoryNotFound(StoreError):
    """The repository does not exist (or was moved aside)."""


class RepositoryExists(StoreError):
    """A repository already exists at that path."""


class ObjectMissing(StoreError):
    """A commit, tree or blob the caller named is not in the repository."""


class RefConflict(StoreError):
    """The branch moved under us: a compare-and-swap lost, so nothing was written."""
