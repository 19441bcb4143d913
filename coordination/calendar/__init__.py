"""Calendar export: a meeting as an .ics file, and secret-token iCalendar feeds per user and per working group."""
