"""Models (the world) and the vendor's rules as plain functions over it; imports no other layer."""
