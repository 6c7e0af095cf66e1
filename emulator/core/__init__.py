"""Machinery written once and used by every vendor: store, clock, errors, OData, paging."""
