"""The schema registry service: HTTP API, auth, validation and CLI on top of :mod:`repo_store`."""
