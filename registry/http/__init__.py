"""The HTTP layer (aiohttp): the app, middleware, authentication, representations and routes."""
