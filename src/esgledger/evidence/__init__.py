"""Evidence files attached to data points: type checked by content, hashed, stored safely."""
