"""The domain: groups, projects, history, keys and the write path. No aiohttp, no HTTP status codes."""
