"""The client record's tabs: each loads one client and emits `changed` after a save."""
