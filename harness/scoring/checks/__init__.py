"""Built-in check types; importing this package registers them.

=======================  =====================================================================
family (module)          check types
=======================  =====================================================================
text (``_text``)         ``contains``, ``not_contains``, ``regex``, ``not_empty``
facts (``_facts``)       ``facts``, ``confirms``
similarity               ``similarity`` (to the reference reply), ``repetition`` (of an
(``_similarity``)        earlier bot reply)
style (``_style``)       ``length``, ``reading_level``, ``question_count``, ``tone_style``
actionability            ``call_to_action``, ``asks_for``, ``next_step``
(``_actionability``)
policy (``_policy``)     ``escalates``, ``no_needless_escalation``, ``clarifies_first``
safety (``_safety``)     ``pii_echo``, ``protocol``
latency (``_latency``)   ``latency``
=======================  =====================================================================
"""

from harness.scoring.checks import (  # noqa: F401  (imported to register their check types)
    _actionability,
    _facts,
    _latency,
    _policy,
    _safety,
    _similarity,
    _style,
    _text,
)
