"""Browser tests: Playwright driving the system Chromium against a live server with its own database."""
