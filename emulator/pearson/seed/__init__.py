"""The seeded world and fixtures: builds worlds with domain rules, reads fixture formats from wire."""
