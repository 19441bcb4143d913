"""Entry point for gunicorn: `gunicorn wsgi:app` with APP_CONFIG=production."""
from coordination import create_app

app = create_app()
