"""Traces, metrics and their plumbing: what the process tells its operators about itself."""
