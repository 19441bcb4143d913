"""In-app notifications and the e-mail settings (the daily digest switch)."""
