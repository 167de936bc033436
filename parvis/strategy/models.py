"""Objectives, audiences, the editorial charter that drafts are checked against."""
