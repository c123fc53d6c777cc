"""The only layer that knows SQLCipher and the vault's files on disk."""
