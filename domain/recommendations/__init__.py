"""Recommendations: what a viewer's history says they like (confidence per title), ratings, and
the trained models (versions, parameters) that turn it into personal picks and similar titles."""
