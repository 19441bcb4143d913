"""What every public-sector site publishes (accessibility statement, privacy notice, data sources) and
the probes a reverse proxy or orchestrator asks (healthz, readyz)."""
