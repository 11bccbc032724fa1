"""One route table per resource; :func:`registry.http.app.create_app` adds them all."""
