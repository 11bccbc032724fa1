"""One route table per resource; :func:`registry.app.create_app` adds them all."""
