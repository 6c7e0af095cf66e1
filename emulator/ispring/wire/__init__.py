"""Wire forms: marshmallow schemas (answers, bodies, fixture formats) and dumps; imports domain only."""
