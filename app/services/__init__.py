"""Use cases. Each wraps one transaction, writes its audit entry and returns domain objects."""
