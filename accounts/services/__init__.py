"""Every write, one module per concept (`accounts.subaccount_create(...)`), each a transaction
that records its event. See `events` for the rules every service follows."""
