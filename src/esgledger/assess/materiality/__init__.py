"""Double materiality (SSE Guideline No. 14 Art. 5, 7, 11; EFRAG IG 1): the method of an
assessment (:mod:`.method`), the scores of IROs on two axes (:mod:`.scoring`), the topics'
classes, sensitivity and decision inputs (:mod:`.classes`), stakeholder answers (:mod:`.answers`),
the SSE elements and Art. 7 checks (:mod:`.checks`) and the matrix chart (:mod:`.matrix`)."""
