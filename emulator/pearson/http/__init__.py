"""Routes on the vendor's blueprint and the call wrapper (auth): the top layer; the vendor's __init__ imports it."""
