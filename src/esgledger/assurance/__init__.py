"""The assurance pack (issue 12, part 4): what an assurer needs to test the published numbers
without esgledger, with a standalone script that verifies it (:mod:`.verify_pack`)."""

from esgledger.assurance.pack import FORMAT, Pack, json_bytes
from esgledger.assurance.sample import default_seed, sample

__all__ = ["FORMAT", "Pack", "default_seed", "json_bytes", "sample"]
