"""Digi info točke: the point network, hosting requests, monthly visits and the programme."""
