"""Tests of Digi info točke."""
