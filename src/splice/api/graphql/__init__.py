"""GraphQL at /api: SDL files (the contract), resolvers, scalars and limits."""
