"""Tests of the replay result schema and its reports."""
