"""Users, credentials (passwords, API tokens, web sessions), login throttling and the permission
policy. Every permission decision is made in :mod:`esgledger.access.policy`."""
