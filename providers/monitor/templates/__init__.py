"""Jinja2 templates (package data) for Prometheus rule files and Alertmanager configurations."""
