"""Checking the emulator against the real vendor: record (``proxy``), replay (``verify``), HAR files (``har``).

Layers, each importing only those above it: ``har`` (the HAR 1.2 file) and ``masking`` (secrets out of a
recording) -> ``shapes`` (comparing two answers, mapping what the vendor created to what the emulator created)
-> ``contract_check`` (a real answer against the emulator's contract) -> ``proxy`` and ``verify`` -> ``commands``
(the CLI's subcommands). Nothing here is imported by the app while it serves, but ``har`` (the journal as HAR).
"""
