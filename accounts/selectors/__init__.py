"""Every read that views and the API make, one module per concept, scoped to who asks."""
