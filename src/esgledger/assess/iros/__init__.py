"""The register of impacts, risks and opportunities (IROs): the vocabulary (``assess/data/
iros.yaml``) and the check of one IRO record (:mod:`.fields`)."""
