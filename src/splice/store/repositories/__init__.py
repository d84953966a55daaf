"""Repositories: queries per aggregate. They flush, never commit."""
